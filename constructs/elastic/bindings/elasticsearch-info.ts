import { TerraformDataSource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ELASTICSTACK_GENERATOR_METADATA, hclNotSupported } from './provider-version.js';

/** `elasticstack_elasticsearch_info` takes no attribute this project sets (docs/data-sources/elasticsearch_info.md at v0.16.3). */
export type DataElasticstackElasticsearchInfoConfig = Pick<TerraformMetaArguments, 'dependsOn' | 'provider'>;

/**
 * `data "elasticstack_elasticsearch_info"`: the cluster the provider connects to (`GET /`),
 * read at plan time. Read-only attributes other stacks reference are getters.
 */
export class DataElasticstackElasticsearchInfo extends TerraformDataSource {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_info';

  public constructor(scope: Construct, id: string, config: DataElasticstackElasticsearchInfoConfig = {}) {
    super(scope, id, {
      terraformResourceType: DataElasticstackElasticsearchInfo.tfResourceType,
      terraformGeneratorMetadata: ELASTICSTACK_GENERATOR_METADATA,
      provider: config.provider,
      dependsOn: config.dependsOn,
    });
  }

  /** `cluster_uuid`: the cluster's unique id (set when it first formed). */
  public get clusterUuid(): string {
    return this.getStringAttribute('cluster_uuid');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {};
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return hclNotSupported(this.terraformResourceType);
  }
}
