import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';

export interface ElasticsearchDataStreamConfig extends TerraformMetaArguments {
  /** `name` (required, forces replacement): the data stream; a matching index template with `data_stream` must exist. */
  readonly name: string;
}

/**
 * `elasticstack_elasticsearch_data_stream`: creates the stream (PUT `_data_stream/<name>`)
 * and deletes it, with every backing index, on destroy.
 */
export class ElasticsearchDataStream extends ElasticstackResource<ElasticsearchDataStreamConfig> {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_data_stream';

  public constructor(scope: Construct, id: string, config: ElasticsearchDataStreamConfig) {
    super(scope, id, ElasticsearchDataStream.tfResourceType, config);
  }

  /** `name` as a reference: whatever writes to the stream waits for it. */
  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { name: this.resourceConfig.name };
  }
}
