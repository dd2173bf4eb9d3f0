import { TerraformResource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { definedOnly, ELASTICSTACK_GENERATOR_METADATA, hclNotSupported } from './provider-version.js';

export interface KibanaActionConnectorConfig extends TerraformMetaArguments {
  /** `name` (required). */
  readonly name: string;
  /** `connector_type_id` (required), e.g. `.server-log`, `.index`, `.webhook`, `.slack`. */
  readonly connectorTypeId: string;
  /** `config`: JSON of the connector type's configuration. */
  readonly config?: string;
  /** `secrets`: JSON of the connector type's secrets (sensitive). */
  readonly secrets?: string;
  /** `connector_id`: UUID to use instead of a generated one. */
  readonly connectorId?: string;
  /** `space_id` (default space when unset). */
  readonly spaceId?: string;
}

/** `elasticstack_kibana_action_connector`. */
export class KibanaActionConnector extends TerraformResource {
  public static readonly tfResourceType = 'elasticstack_kibana_action_connector';

  private readonly connectorConfig: KibanaActionConnectorConfig;

  public constructor(scope: Construct, id: string, config: KibanaActionConnectorConfig) {
    super(scope, id, {
      terraformResourceType: KibanaActionConnector.tfResourceType,
      terraformGeneratorMetadata: ELASTICSTACK_GENERATOR_METADATA,
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      forEach: config.forEach,
    });
    this.connectorConfig = config;
  }

  /** `connector_id` (optional + computed): what rule actions reference. `id` is `<space>/<connector id>`. */
  public get connectorId(): string {
    return this.getStringAttribute('connector_id');
  }

  public get connectorTypeId(): string {
    return this.connectorConfig.connectorTypeId;
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return hclNotSupported(KibanaActionConnector.tfResourceType);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.connectorConfig;
    return definedOnly({
      name: c.name,
      connector_type_id: c.connectorTypeId,
      config: c.config,
      secrets: c.secrets,
      connector_id: c.connectorId,
      space_id: c.spaceId,
    });
  }
}
