import { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import { definedOnly, ELASTICSTACK_GENERATOR_METADATA, hclNotSupported, ELASTICSTACK_PROVIDER_SOURCE } from './provider-version.js';

/** `elasticsearch` block: the default Elasticsearch connection. */
export interface ElasticstackProviderElasticsearch {
  /** `endpoints`: URLs including scheme and port. */
  readonly endpoints?: string[];
  /** `username` for basic authentication. */
  readonly username?: string;
  /** `password` for basic authentication (sensitive). */
  readonly password?: string;
  /** `api_key` instead of username/password (sensitive). */
  readonly apiKey?: string;
  /** `ca_data`: PEM of the CA that signed the server certificate. */
  readonly caData?: string;
  /** `ca_file`: path of a PEM CA file. */
  readonly caFile?: string;
  /** `insecure`: skip TLS verification. Never set by this project. */
  readonly insecure?: boolean;
}

/** `kibana` block: the Kibana connection (falls back to the Elasticsearch credentials). */
export interface ElasticstackProviderKibana {
  /** `endpoints`: Kibana URL including scheme and port (the provider uses the first). */
  readonly endpoints?: string[];
  readonly username?: string;
  readonly password?: string;
  readonly apiKey?: string;
  /** `ca_certs`: paths of PEM CA files (Kibana takes files only, no inline PEM). */
  readonly caCerts?: string[];
  readonly insecure?: boolean;
}

export interface ElasticstackProviderConfig {
  /** `alias` meta-argument, for several instances of the provider. */
  readonly alias?: string;
  readonly elasticsearch?: ElasticstackProviderElasticsearch;
  readonly kibana?: ElasticstackProviderKibana;
}

/** The `elastic/elasticstack` provider (`provider "elasticstack"`). */
export class ElasticstackProvider extends TerraformProvider {
  public static readonly tfResourceType = 'elasticstack';

  private readonly config: ElasticstackProviderConfig;
  private _alias?: string;

  public constructor(scope: Construct, id: string, config: ElasticstackProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: ElasticstackProvider.tfResourceType,
      terraformGeneratorMetadata: ELASTICSTACK_GENERATOR_METADATA,
      terraformProviderSource: ELASTICSTACK_PROVIDER_SOURCE,
    });
    this.config = config;
    this._alias = config.alias;
  }

  public override get alias(): string | undefined {
    return this._alias;
  }

  public override set alias(value: string | undefined) {
    this._alias = value;
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return hclNotSupported(ElasticstackProvider.tfResourceType);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const es = this.config.elasticsearch;
    const kb = this.config.kibana;
    return definedOnly({
      alias: this.alias,
      // Both are "Block List, Max: 1" in the provider schema.
      elasticsearch: es
        ? [
            definedOnly({
              endpoints: es.endpoints,
              username: es.username,
              password: es.password,
              api_key: es.apiKey,
              ca_data: es.caData,
              ca_file: es.caFile,
              insecure: es.insecure,
            }),
          ]
        : undefined,
      kibana: kb
        ? [
            definedOnly({
              endpoints: kb.endpoints,
              username: kb.username,
              password: kb.password,
              api_key: kb.apiKey,
              ca_certs: kb.caCerts,
              insecure: kb.insecure,
            }),
          ]
        : undefined,
    });
  }
}
