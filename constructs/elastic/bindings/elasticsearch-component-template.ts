import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

/** `template.data_stream_options.failure_store` (Elasticsearch 9.1+). */
export interface ElasticsearchFailureStoreOptions {
  /** `enabled`: whether refused documents are redirected to `<stream>::failures`. */
  readonly enabled?: boolean;
  /** `lifecycle.data_retention`, e.g. `30d`. */
  readonly dataRetention?: string;
}

/**
 * `template.data_stream_options` block: applied once, when a matching data stream is
 * created (later template changes do not reach existing streams).
 */
export interface ElasticsearchDataStreamOptions {
  readonly failureStore: ElasticsearchFailureStoreOptions;
}

/** `template` block of a component or index template. */
export interface ElasticsearchTemplateBody {
  /** `mappings`: JSON of the mappings. */
  readonly mappings?: string;
  /** `settings`: JSON of the index settings. */
  readonly settings?: string;
  readonly dataStreamOptions?: ElasticsearchDataStreamOptions;
}

/** The `template` block as Terraform JSON (single nested blocks are objects). */
export function synthesizeTemplateBody(template: ElasticsearchTemplateBody): Record<string, unknown> {
  const failureStore = template.dataStreamOptions?.failureStore;
  return definedOnly({
    mappings: template.mappings,
    settings: template.settings,
    data_stream_options: failureStore
      ? {
          failure_store: definedOnly({
            enabled: failureStore.enabled,
            lifecycle: failureStore.dataRetention === undefined ? undefined : { data_retention: failureStore.dataRetention },
          }),
        }
      : undefined,
  });
}

export interface ElasticsearchComponentTemplateConfig extends TerraformMetaArguments {
  /** `name` (required). */
  readonly name: string;
  /** `template` block. */
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
      // "Block, Optional" (a single nested block since the 0.15.0 Plugin Framework migration): an object.
      template: synthesizeTemplateBody(c.template),
    });
  }
}
