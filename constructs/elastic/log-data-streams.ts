import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { dataStreamName } from '@platform/contract';
import { ElasticsearchDataStream } from './bindings/index.js';
import { ValidationError } from '../private/validation.js';

export interface LogDataStreamsProps {
  /** The environment the streams belong to: `logs-<source>-<environment>`. */
  readonly environment: string;
  /** Every source the Logstash pipelines write to: `logs-<source>-<environment>` each. */
  readonly sources: readonly string[];
  /** The index template (and whatever else) each stream must be created after. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * One `elasticstack_elasticsearch_data_stream` per log source, created after the index
 * template that shapes it, so its first backing index already has the project's mappings,
 * settings and ILM policy (an auto-created stream would take the built-in `logs@template`).
 * On destroy the streams, with their backing indices (the logs), go before the template
 * and the ILM policy, which Elasticsearch refuses to delete while an index uses it.
 */
export class LogDataStreams extends Construct {
  /** The streams' names as references: a writer that takes them waits for every stream. */
  public readonly names: readonly string[];

  public constructor(scope: Construct, id: string, props: LogDataStreamsProps) {
    super(scope, id);
    const sources = [...new Set(props.sources)];
    if (sources.length !== props.sources.length) {
      throw new ValidationError(this, `sources list a source twice (${props.sources.join(', ')})`);
    }
    if (sources.length === 0) throw new ValidationError(this, 'sources is empty; give every source the pipeline writes to');
    this.names = sources.map(
      (source) => new ElasticsearchDataStream(this, source, { name: dataStreamName(source, props.environment), dependsOn: [...props.dependsOn] }).name,
    );
  }
}
