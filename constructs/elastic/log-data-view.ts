import { Construct } from 'constructs';
import { KibanaDataView } from './bindings/index.js';

export interface LogDataViewProps {
  /** Saved-object id, stable so the dashboard's objects can reference it. */
  readonly id: string;
  readonly name: string;
  /** Index patterns of the log data streams (the index template's). */
  readonly indexPatterns: readonly string[];
}

/** The Kibana data view over the environment's log data streams, time field `@timestamp`. */
export class LogDataView extends Construct {
  public readonly dataViewId: string;
  public readonly resource: KibanaDataView;

  public constructor(scope: Construct, id: string, props: LogDataViewProps) {
    super(scope, id);
    if (props.indexPatterns.length === 0) {
      throw new Error('LogDataView: indexPatterns must name at least one index pattern');
    }
    this.dataViewId = props.id;
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
