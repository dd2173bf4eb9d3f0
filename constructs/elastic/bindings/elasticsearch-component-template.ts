import { TerraformResource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { definedOnly, ELASTICSTACK_GENERATOR_METADATA, hclNotSupported } from './provider-version.js';

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
export class ElasticsearchComponentTemplate extends TerraformResource {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_component_template';

  private readonly config: ElasticsearchComponentTemplateConfig;

  public constructor(scope: Construct, id: string, config: ElasticsearchComponentTemplateConfig) {
    super(scope, id, {
      terraformResourceType: ElasticsearchComponentTemplate.tfResourceType,
      terraformGeneratorMetadata: ELASTICSTACK_GENERATOR_METADATA,
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      forEach: config.forEach,
    });
    this.config = config;
  }

  /** `name` as a reference (index templates composed of this one depend on it). */
  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return hclNotSupported(ElasticsearchComponentTemplate.tfResourceType);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return definedOnly({
      name: this.config.name,
      metadata: this.config.metadata,
      version: this.config.version,
      // "Block List, Min: 1, Max: 1".
      template: [definedOnly({ mappings: this.config.template.mappings, settings: this.config.template.settings })],
    });
  }
}
