import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

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
export class KibanaDataView extends ElasticstackResource<KibanaDataViewConfig> {
  public static readonly tfResourceType = 'elasticstack_kibana_data_view';

  public constructor(scope: Construct, id: string, config: KibanaDataViewConfig) {
    super(scope, id, KibanaDataView.tfResourceType, config);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.resourceConfig;
    const view = c.dataView;
    return definedOnly({
      override: c.override,
      space_id: c.spaceId,
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
