import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { synthesizeTemplateBody, type ElasticsearchTemplateBody } from './elasticsearch-component-template.js';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

/** `data_stream` block: its presence makes matching names data streams. */
export interface ElasticsearchIndexTemplateDataStream {
  /** `hidden`. */
  readonly hidden?: boolean;
  /** `allow_custom_routing` (Elasticsearch 8+). */
  readonly allowCustomRouting?: boolean;
}

export interface ElasticsearchIndexTemplateConfig extends TerraformMetaArguments {
  /** `name` (required). */
  readonly name: string;
  /** `index_patterns` (required, set of strings). */
  readonly indexPatterns: string[];
  /** `composed_of`: ordered component template names. */
  readonly composedOf?: string[];
  /** `priority`: precedence over other matching templates. */
  readonly priority?: number;
  readonly dataStream?: ElasticsearchIndexTemplateDataStream;
  readonly template?: ElasticsearchTemplateBody;
  /** `metadata`: JSON document of user metadata. */
  readonly metadata?: string;
  readonly version?: number;
}

/** `elasticstack_elasticsearch_index_template` (composable index template). */
export class ElasticsearchIndexTemplate extends ElasticstackResource<ElasticsearchIndexTemplateConfig> {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_index_template';

  public constructor(scope: Construct, id: string, config: ElasticsearchIndexTemplateConfig) {
    super(scope, id, ElasticsearchIndexTemplate.tfResourceType, config);
  }

  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.resourceConfig;
    const { dataStream, template } = c;
    return definedOnly({
      name: c.name,
      index_patterns: c.indexPatterns,
      composed_of: c.composedOf,
      priority: c.priority,
      metadata: c.metadata,
      version: c.version,
      // Both are "Block, Optional" (single nested blocks): objects, `{}` for an empty one.
      data_stream: dataStream ? definedOnly({ hidden: dataStream.hidden, allow_custom_routing: dataStream.allowCustomRouting }) : undefined,
      template: template ? synthesizeTemplateBody(template) : undefined,
    });
  }
}
