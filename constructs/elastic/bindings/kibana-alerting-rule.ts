import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';
import { ValidationError } from '../../private/validation.js';

export type AlertNotifyWhen = 'onActionGroupChange' | 'onActiveAlert' | 'onThrottleInterval';

/**
 * One action's `frequency` block. Provider 0.16.3 takes both `summary` and `notify_when`
 * optional but requires them together when the block is present, so both are required here.
 */
export interface KibanaAlertingRuleActionFrequency {
  /** `summary`: one action for all alerts of a run instead of one per alert. */
  readonly summary: boolean;
  /** `notify_when`. */
  readonly notifyWhen: AlertNotifyWhen;
  /** `throttle`: only with `onThrottleInterval`, e.g. `10m`. */
  readonly throttle?: string;
}

/** One `actions` block. */
export interface KibanaAlertingRuleAction {
  /** `id` (required): the connector's id. */
  readonly id: string;
  /** `params` (required): JSON of what the connector receives (Mustache templates allowed). */
  readonly params: string;
  /** `group`: the rule type's action group, e.g. `threshold met` or `recovered`. */
  readonly group?: string;
  /** `frequency` (Kibana 8.6+): how often this action runs; replaces the rule-level `notify_when`. */
  readonly frequency?: KibanaAlertingRuleActionFrequency;
}

export interface KibanaAlertingRuleConfig extends TerraformMetaArguments {
  /** `name` (required). */
  readonly name: string;
  /** `consumer` (required): owning application, e.g. `alerts`. */
  readonly consumer: string;
  /** `rule_type_id` (required), e.g. `.index-threshold`. */
  readonly ruleTypeId: string;
  /** `interval` (required): check schedule, e.g. `1m`. */
  readonly interval: string;
  /** `params` (required): JSON of the rule type's parameters. */
  readonly params: string;
  /**
   * `notify_when` at rule level: deprecated since Kibana 8.13 (Kibana moves it into the
   * actions on the first UI edit, and the next plan shows a diff). Use each action's `frequency`.
   */
  readonly notifyWhen?: AlertNotifyWhen;
  /** `enabled`. */
  readonly enabled?: boolean;
  /** `tags`. */
  readonly tags?: string[];
  /** `rule_id`: UUID to use instead of a generated one. */
  readonly ruleId?: string;
  /** `throttle` at rule level: deprecated like `notifyWhen`. */
  readonly throttle?: string;
  /** `space_id` (default space when unset). */
  readonly spaceId?: string;
  /**
   * `alert_delay`: how many consecutive runs must meet the rule's condition before an alert
   * occurs (provider 0.16.3 docs/resources/kibana_alerting_rule.md; Kibana 8.13+).
   */
  readonly alertDelay?: number;
  readonly actions?: KibanaAlertingRuleAction[];
}

/** `elasticstack_kibana_alerting_rule`. */
export class KibanaAlertingRule extends ElasticstackResource<KibanaAlertingRuleConfig> {
  public static readonly tfResourceType = 'elasticstack_kibana_alerting_rule';

  public constructor(scope: Construct, id: string, config: KibanaAlertingRuleConfig) {
    super(scope, id, KibanaAlertingRule.tfResourceType, config);
    // The provider docs (v0.13.1 and v0.16.3, docs/resources/kibana_alerting_rule.md,
    // actions.frequency) forbid per-action frequency next to rule-level notify_when/throttle.
    if ((config.notifyWhen !== undefined || config.throttle !== undefined) && config.actions?.some((a) => a.frequency)) {
      throw new ValidationError(this, `rule-level notifyWhen/throttle cannot be combined with per-action frequency`);
    }
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.resourceConfig;
    return definedOnly({
      name: c.name,
      consumer: c.consumer,
      rule_type_id: c.ruleTypeId,
      interval: c.interval,
      params: c.params,
      notify_when: c.notifyWhen,
      enabled: c.enabled,
      tags: c.tags,
      rule_id: c.ruleId,
      throttle: c.throttle,
      space_id: c.spaceId,
      alert_delay: c.alertDelay,
      // "Block List": one element per action; `frequency` is a single nested block (an object) since 0.14.0.
      actions: c.actions?.map((action) =>
        definedOnly({
          id: action.id,
          params: action.params,
          group: action.group,
          frequency: action.frequency && definedOnly({ summary: action.frequency.summary, notify_when: action.frequency.notifyWhen, throttle: action.frequency.throttle }),
        }),
      ),
    });
  }
}
