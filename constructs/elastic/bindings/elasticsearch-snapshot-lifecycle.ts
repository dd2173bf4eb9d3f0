import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

export interface ElasticsearchSnapshotLifecycleConfig extends TerraformMetaArguments {
  /** `name` (required): the SLM policy id. */
  readonly name: string;
  /** `repository` (required): where the snapshots go. */
  readonly repository: string;
  /** `schedule` (required): Elasticsearch cron expression (or interval). */
  readonly schedule: string;
  /** `snapshot_name`: date-math name of each snapshot, e.g. `<nightly-{now/d}>`. */
  readonly snapshotName?: string;
  /** `indices`: data streams and indices to include. */
  readonly indices?: readonly string[];
  /** `feature_states`: feature states to include (e.g. `kibana`). */
  readonly featureStates?: readonly string[];
  /** `include_global_state`. */
  readonly includeGlobalState?: boolean;
  /** `ignore_unavailable`. */
  readonly ignoreUnavailable?: boolean;
  /** `partial`. */
  readonly partial?: boolean;
  /** `expand_wildcards`, e.g. `open,hidden`. */
  readonly expandWildcards?: string;
  /** `expire_after`: retention age, e.g. `30d`. */
  readonly expireAfter?: string;
  /** `min_count`: snapshots kept even when expired. */
  readonly minCount?: number;
  /** `max_count`: snapshots kept at most, even when not expired. */
  readonly maxCount?: number;
  /** `metadata`: JSON document attached to each snapshot. */
  readonly metadata?: string;
}

/** `elasticstack_elasticsearch_snapshot_lifecycle`: an SLM policy (PUT/GET/DELETE `_slm/policy/<name>`). */
export class ElasticsearchSnapshotLifecycle extends ElasticstackResource<ElasticsearchSnapshotLifecycleConfig> {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_snapshot_lifecycle';

  public constructor(scope: Construct, id: string, config: ElasticsearchSnapshotLifecycleConfig) {
    super(scope, id, ElasticsearchSnapshotLifecycle.tfResourceType, config);
  }

  /** `name` as a reference. */
  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.resourceConfig;
    return definedOnly({
      name: c.name,
      repository: c.repository,
      schedule: c.schedule,
      snapshot_name: c.snapshotName,
      indices: c.indices ? [...c.indices] : undefined,
      feature_states: c.featureStates ? [...c.featureStates] : undefined,
      include_global_state: c.includeGlobalState,
      ignore_unavailable: c.ignoreUnavailable,
      partial: c.partial,
      expand_wildcards: c.expandWildcards,
      expire_after: c.expireAfter,
      min_count: c.minCount,
      max_count: c.maxCount,
      metadata: c.metadata,
    });
  }
}
