import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

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
export class KibanaActionConnector extends ElasticstackResource<KibanaActionConnectorConfig> {
  public static readonly tfResourceType = 'elasticstack_kibana_action_connector';

  public constructor(scope: Construct, id: string, config: KibanaActionConnectorConfig) {
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
      connector_id: c.connectorId,
      space_id: c.spaceId,
    });
  }
}
