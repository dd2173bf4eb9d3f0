import { Construct } from 'constructs';
import { ElasticsearchSnapshotLifecycle, ElasticsearchSnapshotRepository } from './bindings/index.js';
import { ValidationError, requireWholeNumber } from '../private/validation.js';

/**
 * Elasticsearch cron, as SLM's `schedule` takes it (reference/elasticsearch/rest-apis/api-conventions
 * "Cron expressions", elastic/elasticsearch x-pack/plugin/core ... scheduler/Cron.java):
 * `<seconds> <minutes> <hours> <day_of_month> <month> <day_of_week> [year]`, and exactly one of
 * day-of-month and day-of-week is `?` (Cron refuses both set, and both `?`).
 */
const CRON_FIELDS = [
  { name: 'seconds', chars: /^[0-9*,/-]+$/, min: 0, max: 59 },
  { name: 'minutes', chars: /^[0-9*,/-]+$/, min: 0, max: 59 },
  { name: 'hours', chars: /^[0-9*,/-]+$/, min: 0, max: 23 },
  { name: 'day of month', chars: /^(?:\?|L(?:-\d+)?|LW|[0-9*,/-]+W?)$/, min: 1, max: 31 },
  { name: 'month', chars: /^(?:[0-9*,/-]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i, min: 1, max: 12 },
  { name: 'day of week', chars: /^(?:\?|(?:[0-9*,/#L-]|SUN|MON|TUE|WED|THU|FRI|SAT)+)$/i, min: 1, max: 7 },
  { name: 'year', chars: /^[0-9*,/-]+$/, min: 1970, max: 2199 },
] as const;

/** Why `expression` is not an Elasticsearch cron expression, or undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 7) {
    return `has ${fields.length} field(s); an Elasticsearch cron expression has 6 or 7: seconds minutes hours day-of-month month day-of-week [year], e.g. "0 30 1 * * ?"`;
  }
  for (const [index, field] of fields.entries()) {
    const rule = CRON_FIELDS[index]!;
    if (!rule.chars.test(field)) return `field ${index + 1} (${rule.name}) "${field}" is not valid there`;
    // Step values (after "/") count occurrences, not positions; the rest must lie within the field's range.
    const numbers = field.split(',').flatMap((part) => part.split('/')[0]!.split(/[-#]/)).filter((n) => /^\d+$/.test(n)).map(Number);
    const out = numbers.find((n) => n < rule.min || n > rule.max);
    if (out !== undefined) return `field ${index + 1} (${rule.name}) has ${out}, outside ${rule.min}-${rule.max}`;
  }
  if ((fields[3] === '?') === (fields[5] === '?')) {
    return 'exactly one of day-of-month (field 4) and day-of-week (field 6) must be "?"';
  }
  return undefined;
}

/** Where an `s3` repository's data lives; the client's credentials are the nodes' keystore settings. */
export interface SnapshotS3Location {
  /** The bucket (it must exist). */
  readonly bucket: string;
  /** Key prefix of the repository in the bucket. @default the bucket's root */
  readonly basePath?: string;
  /** The `s3.client.<name>` the nodes carry (endpoint, credentials, path style). */
  readonly client: string;
}

/** How long SLM keeps the policy's snapshots. */
export interface SnapshotRetention {
  /** Days after which a snapshot may be deleted. */
  readonly expireAfterDays: number;
  /** Snapshots kept even when expired. */
  readonly minCount: number;
  /** Snapshots kept at most, even when not expired. */
  readonly maxCount: number;
}

export interface ElasticsearchSnapshotsProps {
  /** Repository name. */
  readonly repositoryName: string;
  /** SLM policy id. */
  readonly policyName: string;
  /** Prefix of each snapshot's name (SLM appends the date and a unique suffix). */
  readonly snapshotPrefix: string;
  /**
   * Shared-filesystem location: a directory under `path.repo` that every node mounts.
   * Used unless `s3` is given.
   */
  readonly fsLocation: string;
  /** Write to an S3 bucket instead of the shared filesystem. @default none: the `fs` repository */
  readonly s3?: SnapshotS3Location;
  /** Elasticsearch cron expression of the policy. */
  readonly schedule: string;
  readonly retention: SnapshotRetention;
  /** Data streams and indices the snapshots hold (wildcards allowed). */
  readonly indices: readonly string[];
  /** Feature states (system indices) the snapshots hold. @default ['kibana'] */
  readonly featureStates?: readonly string[];
}

/**
 * A snapshot repository and the SLM policy that fills and prunes it. The policy holds the
 * given data streams and the Kibana feature state (saved objects, rules, connectors), not the
 * cluster's global state: templates, ILM policies and settings are declared by this project
 * and come back with an apply, and restoring old ones over them would undo later changes.
 */
export class ElasticsearchSnapshots extends Construct {
  public readonly repository: ElasticsearchSnapshotRepository;
  public readonly policy: ElasticsearchSnapshotLifecycle;
  /** Repository name as a reference. */
  public readonly repositoryName: string;
  /** Policy id as a reference. */
  public readonly policyName: string;

  public constructor(scope: Construct, id: string, props: ElasticsearchSnapshotsProps) {
    super(scope, id);
    const problem = cronProblem(props.schedule);
    if (problem) throw new ValidationError(this, `schedule "${props.schedule}" ${problem}`);
    const { expireAfterDays, minCount, maxCount } = props.retention;
    requireWholeNumber(this, 'retention.expireAfterDays', expireAfterDays, { min: 1, unit: 'days' });
    requireWholeNumber(this, 'retention.minCount', minCount, { min: 1 });
    requireWholeNumber(this, 'retention.maxCount', maxCount, { min: 1 });
    if (minCount > maxCount) {
      throw new ValidationError(this, `retention.minCount (${minCount}) must not exceed retention.maxCount (${maxCount})`);
    }
    if (props.indices.length === 0) throw new ValidationError(this, 'indices must name at least one data stream or index pattern');
    if (props.s3 && !props.s3.bucket) throw new ValidationError(this, 's3.bucket is empty: name the bucket the snapshots go to');
    if (!props.s3 && !props.fsLocation.startsWith('/')) {
      throw new ValidationError(this, `fsLocation must be an absolute path under the nodes' path.repo (got "${props.fsLocation}")`);
    }

    this.repository = new ElasticsearchSnapshotRepository(this, 'repository', {
      name: props.repositoryName,
      // The provider's default too; explicit because it is what proves every node can write the
      // volume (or reach the bucket) at apply time rather than at the first scheduled snapshot.
      verify: true,
      ...(props.s3
        ? { s3: { bucket: props.s3.bucket, basePath: props.s3.basePath, client: props.s3.client, compress: true } }
        : { fs: { location: props.fsLocation, compress: true } }),
    });
    this.repositoryName = this.repository.name;

    this.policy = new ElasticsearchSnapshotLifecycle(this, 'policy', {
      name: props.policyName,
      repository: this.repositoryName,
      schedule: props.schedule,
      // Date math in angle brackets; SLM adds a unique suffix, so a more frequent schedule never collides.
      snapshotName: `<${props.snapshotPrefix}-{now/d}>`,
      indices: props.indices,
      // Without the global state, feature states are only included when named
      // (reference/elasticsearch/rest-apis/create-snapshot: feature_states).
      includeGlobalState: false,
      featureStates: props.featureStates ?? ['kibana'],
      // Streams of a source that has logged nothing yet do not exist: not a reason to fail the snapshot.
      ignoreUnavailable: true,
      partial: false,
      expireAfter: `${expireAfterDays}d`,
      minCount,
      maxCount,
      metadata: JSON.stringify({ managed_by: 'cdktf' }),
    });
    this.policyName = this.policy.name;
  }
}
