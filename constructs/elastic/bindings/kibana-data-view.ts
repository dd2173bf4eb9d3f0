import { TerraformResource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { definedOnly, ELASTICSTACK_GENERATOR_METADATA, hclNotSupported } from './provider-version.js';

/** `data_view` attribute (a nested object attribute, not a block). */
export interface KibanaDataViewSpec {
  /** `title` (required): comma-separated index patterns the data view searches. */
  readonly title: string;
  /** `name`: display name. */
  readonly name?: string;
  /** `id`: saved object id (stable, so saved objects can reference it). */
  readonly id?: string;
  /** `time_field_name`. */
  readonly timeFieldName?: string;
  /** `allow_no_index`: may exist before any matching index does. */
  readonly allowNoIndex?: boolean;
  /** `source_filters`: fields hidden in Discover. */
  readonly sourceFilters?: string[];
}

export interface KibanaDataViewConfig extends TerraformMetaArguments {
  readonly dataView: KibanaDataViewSpec;
  /** `override`: replace an existing data view with the same title. */
  readonly override?: boolean;
  /** `space_id` (default space when unset). */
  readonly spaceId?: string;
}

/** `elasticstack_kibana_data_view`. */
export class KibanaDataView extends TerraformResource {
  public static readonly tfResourceType = 'elasticstack_kibana_data_view';

  private readonly config: KibanaDataViewConfig;

  public constructor(scope: Construct, id: string, config: KibanaDataViewConfig) {
    super(scope, id, {
      terraformResourceType: KibanaDataView.tfResourceType,
      terraformGeneratorMetadata: ELASTICSTACK_GENERATOR_METADATA,
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      forEach: config.forEach,
    });
    this.config = config;
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return hclNotSupported(KibanaDataView.tfResourceType);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const view = this.config.dataView;
    return definedOnly({
      override: this.config.override,
      space_id: this.config.spaceId,
      data_view: definedOnly({
        title: view.title,
        name: view.name,
        id: view.id,
        time_field_name: view.timeFieldName,
        allow_no_index: view.allowNoIndex,
        source_filters: view.sourceFilters,
      }),
    });
  }
}
