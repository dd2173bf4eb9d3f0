import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

/**
 * The few attributes of `elasticstack_elasticsearch_index` this project sets; each is
 * documented alike at provider v0.13.1 and v0.16.3 (docs/resources/elasticsearch_index.md).
 */
export interface ElasticsearchIndexConfig extends TerraformMetaArguments {
  /** `name` (required, forces replacement). */
  readonly name: string;
  /** `mappings`: JSON of the index mappings. */
  readonly mappings?: string;
  /** `number_of_shards` (creation only). */
  readonly numberOfShards?: number;
  /** `number_of_replicas`. */
  readonly numberOfReplicas?: number;
  /** `deletion_protection`: the provider defaults it to true, which makes a destroy fail. */
  readonly deletionProtection?: boolean;
}

/** `elasticstack_elasticsearch_index`: a plain (non data stream) index. */
export class ElasticsearchIndex extends ElasticstackResource<ElasticsearchIndexConfig> {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_index';

  public constructor(scope: Construct, id: string, config: ElasticsearchIndexConfig) {
    super(scope, id, ElasticsearchIndex.tfResourceType, config);
  }

  /** `name` as a reference: what writes to the index waits for it. */
  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.resourceConfig;
    return definedOnly({
      name: c.name,
      mappings: c.mappings,
      number_of_shards: c.numberOfShards,
      number_of_replicas: c.numberOfReplicas,
      deletion_protection: c.deletionProtection,
    });
  }
}
