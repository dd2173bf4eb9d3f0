import { TerraformResource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import type { ElasticsearchTemplateBody } from './elasticsearch-component-template.js';
import { definedOnly, ELASTICSTACK_GENERATOR_METADATA, hclNotSupported } from './provider-version.js';

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
export class ElasticsearchIndexTemplate extends TerraformResource {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_index_template';

  private readonly config: ElasticsearchIndexTemplateConfig;

  public constructor(scope: Construct, id: string, config: ElasticsearchIndexTemplateConfig) {
    super(scope, id, {
      terraformResourceType: ElasticsearchIndexTemplate.tfResourceType,
      terraformGeneratorMetadata: ELASTICSTACK_GENERATOR_METADATA,
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      forEach: config.forEach,
    });
    this.config = config;
  }

  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return hclNotSupported(ElasticsearchIndexTemplate.tfResourceType);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const { dataStream, template } = this.config;
    return definedOnly({
      name: this.config.name,
      index_patterns: this.config.indexPatterns,
      composed_of: this.config.composedOf,
      priority: this.config.priority,
      metadata: this.config.metadata,
      version: this.config.version,
      // Both blocks are "Block List, Max: 1".
      data_stream: dataStream
        ? [definedOnly({ hidden: dataStream.hidden, allow_custom_routing: dataStream.allowCustomRouting })]
        : undefined,
      template: template ? [definedOnly({ mappings: template.mappings, settings: template.settings })] : undefined,
    });
  }
}
