import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

/** `template` block of a component or index template. */
export interface ElasticsearchTemplateBody {
  /** `mappings`: JSON of the mappings. */
  readonly mappings?: string;
  /** `settings`: JSON of the index settings. */
  readonly settings?: string;
}

export interface ElasticsearchComponentTemplateConfig extends TerraformMetaArguments {
  /** `name` (required). */
  readonly name: string;
  /** `template` (required block, exactly one). */
  readonly template: ElasticsearchTemplateBody;
  /** `metadata`: JSON document of user metadata. */
  readonly metadata?: string;
  /** `version`: externally managed version number. */
  readonly version?: number;
}

/** `elasticstack_elasticsearch_component_template`. */
export class ElasticsearchComponentTemplate extends ElasticstackResource<ElasticsearchComponentTemplateConfig> {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_component_template';

  public constructor(scope: Construct, id: string, config: ElasticsearchComponentTemplateConfig) {
    super(scope, id, ElasticsearchComponentTemplate.tfResourceType, config);
  }

  /** `name` as a reference (index templates composed of this one depend on it). */
  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.resourceConfig;
    return definedOnly({
      name: c.name,
      metadata: c.metadata,
      version: c.version,
      // "Block List, Min: 1, Max: 1".
      template: [definedOnly({ mappings: c.template.mappings, settings: c.template.settings })],
    });
  }
}
