import { Construct } from 'constructs';
import { KibanaDataView } from './bindings/index.js';
import { ValidationError } from '../private/validation.js';

export interface LogDataViewProps {
  /** Saved-object id, stable so the dashboard's objects can reference it. */
  readonly id: string;
  /** Name Kibana shows for the data view. */
  readonly name: string;
  /** Index patterns of the log data streams (the index template's). */
  readonly indexPatterns: readonly string[];
}

/**
 * The Kibana data view over the environment's log data streams, time field `@timestamp`.
 *
 * It declares no `field_attrs` and needs no `ignore_changes`: Kibana 8.18+ stores field
 * popularity (`fieldAttrs.<field>.count`) in the view when someone uses Discover. Provider
 * 0.13.1 forced replacement on any `field_attrs` change (internal/kibana/data_view/schema.go
 * line 107, `mapplanmodifier.RequiresReplace()`); since 0.15.2 (issue 1287, PR 2964) the read
 * drops count-only entries while `field_attrs` is unset (v0.16.3
 * internal/kibana/dataview/models.go lines 129-164, `stripServerCountOnlyWhenFieldAttrsUnset`),
 * the attribute no longer forces replacement (schema.go lines 112-128), and counts compare as
 * equal semantically (field_attrs_value.go lines 55-144). A custom label set in Kibana is
 * kept in state and shows in the next plan as an in-place change, not a replacement.
 */
export class LogDataView extends Construct {
  /** The data view resource: what the dashboard's import waits for. */
  public readonly resource: KibanaDataView;

  public constructor(scope: Construct, id: string, props: LogDataViewProps) {
    super(scope, id);
    if (props.indexPatterns.length === 0) {
      throw new ValidationError(this, 'indexPatterns must name at least one index pattern');
    }
    this.resource = new KibanaDataView(this, 'data-view', {
      override: true,
      dataView: {
        id: props.id,
        name: props.name,
        title: props.indexPatterns.join(','),
        timeFieldName: '@timestamp',
        // The view exists before the first log line arrives.
        allowNoIndex: true,
      },
    });
  }
}
