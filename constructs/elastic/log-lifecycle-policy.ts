import { Construct } from 'constructs';
import { ElasticsearchIndexLifecycle } from './bindings/index.js';
import { ValidationError, requireWholeNumber } from '../private/validation.js';

export interface LogLifecyclePolicyProps {
  /** Policy name. */
  readonly name: string;
  /** Roll the write index over after this age, e.g. `1d`. */
  readonly rolloverMaxAge: string;
  /** ...or when a primary shard reaches this size, e.g. `10gb`. */
  readonly rolloverMaxPrimaryShardSize: string;
  /** Days a backing index is kept after its rollover before it is deleted. */
  readonly retentionDays: number;
}

const DURATION = /^[1-9]\d*(d|h)$/;
const SIZE = /^[1-9]\d*(mb|gb)$/;

/**
 * The ILM policy of the log data streams: hot (rollover by age or primary shard
 * size), then delete `retentionDays` after rollover (ILM counts a rolled-over
 * index's age from its rollover).
 */
export class LogLifecyclePolicy extends Construct {
  /** The policy name as a reference: settings that attach it depend on the policy. */
  public readonly policyName: string;

  public constructor(scope: Construct, id: string, props: LogLifecyclePolicyProps) {
    super(scope, id);
    if (!DURATION.test(props.rolloverMaxAge)) {
      throw new ValidationError(this, `rolloverMaxAge must be a duration such as "1d" or "12h" (got "${props.rolloverMaxAge}")`);
    }
    if (!SIZE.test(props.rolloverMaxPrimaryShardSize)) {
      throw new ValidationError(this, `rolloverMaxPrimaryShardSize must be a size such as "10gb" (got "${props.rolloverMaxPrimaryShardSize}")`);
    }
    // How long an environment may keep logs is the settings schema's rule.
    requireWholeNumber(this, 'retentionDays', props.retentionDays, { min: 1, unit: 'days' });
    const policy = new ElasticsearchIndexLifecycle(this, 'policy', {
      name: props.name,
      metadata: JSON.stringify({ managed_by: 'cdktf', description: 'Platform log data streams' }),
      hot: {
        minAge: '0ms',
        rollover: { maxAge: props.rolloverMaxAge, maxPrimaryShardSize: props.rolloverMaxPrimaryShardSize },
      },
      delete: { minAge: `${props.retentionDays}d`, delete: {} },
    });
    this.policyName = policy.name;
  }
}
