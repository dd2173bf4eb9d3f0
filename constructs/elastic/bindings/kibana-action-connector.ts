import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ValidationError } from '../../private/validation.js';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

export interface KibanaActionConnectorConfig extends TerraformMetaArguments {
  /** `name` (required). */
  readonly name: string;
  /** `connector_type_id` (required), e.g. `.server-log`, `.index`, `.webhook`, `.slack`. */
  readonly connectorTypeId: string;
  /** `config`: JSON of the connector type's configuration. */
  readonly config?: string;
  /** `secrets`: JSON of the connector type's secrets (sensitive; stored in state). */
  readonly secrets?: string;
  /**
   * `secrets_wo` (0.16.1+, Terraform/OpenTofu 1.11+): the same JSON, write-only, so neither the
   * state nor a plan holds it. Conflicts with `secrets`.
   */
  readonly secretsWo?: string;
  /** `secrets_wo_version`: change it to send `secretsWo` again (the provider cannot diff a write-only value). */
  readonly secretsWoVersion?: string;
  /** `connector_id`: UUID to use instead of a generated one. */
  readonly connectorId?: string;
  /** `space_id` (default space when unset). */
  readonly spaceId?: string;
}

/** `elasticstack_kibana_action_connector`. */
export class KibanaActionConnector extends ElasticstackResource<KibanaActionConnectorConfig> {
  public static readonly tfResourceType = 'elasticstack_kibana_action_connector';

  public constructor(scope: Construct, id: string, config: KibanaActionConnectorConfig) {
    // internal/kibana/connectors/schema.go (v0.16.3): secrets ConflictsWith secrets_wo; secrets_wo_version AlsoRequires secrets_wo.
    // Checked before super(), so the path is spelled out: a resource with a bad config is never added to the tree.
    const where = `${scope.node.path}/${id}`;
    if (config.secrets !== undefined && config.secretsWo !== undefined) {
      throw new ValidationError(where, 'set secrets or secretsWo, not both');
    }
    if (config.secretsWoVersion !== undefined && config.secretsWo === undefined) {
      throw new ValidationError(where, 'secretsWoVersion needs secretsWo');
    }
    super(scope, id, KibanaActionConnector.tfResourceType, config);
  }

  /** `connector_id` (optional + computed): what rule actions reference. `id` is `<space>/<connector id>`. */
  public get connectorId(): string {
    return this.getStringAttribute('connector_id');
  }

  public get connectorTypeId(): string {
    return this.resourceConfig.connectorTypeId;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.resourceConfig;
    return definedOnly({
      name: c.name,
      connector_type_id: c.connectorTypeId,
      config: c.config,
      secrets: c.secrets,
      secrets_wo: c.secretsWo,
      secrets_wo_version: c.secretsWoVersion,
      connector_id: c.connectorId,
      space_id: c.spaceId,
    });
  }
}
