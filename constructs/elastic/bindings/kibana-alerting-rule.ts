import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

/** One `actions` block. */
export interface KibanaAlertingRuleAction {
  /** `id` (required): the connector's id. */
  readonly id: string;
  /** `params` (required): JSON of what the connector receives (Mustache templates allowed). */
  readonly params: string;
  /** `group`: the rule type's action group, e.g. `threshold met`. */
  readonly group?: string;
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
  /** `notify_when`: `onActionGroupChange`, `onActiveAlert` or `onThrottleInterval`. */
  readonly notifyWhen?: 'onActionGroupChange' | 'onActiveAlert' | 'onThrottleInterval';
  /** `enabled`. */
  readonly enabled?: boolean;
  /** `tags`. */
  readonly tags?: string[];
  /** `rule_id`: UUID to use instead of a generated one. */
  readonly ruleId?: string;
  /** `throttle`: only with `onThrottleInterval`. */
  readonly throttle?: string;
  /** `space_id` (default space when unset). */
  readonly spaceId?: string;
  readonly actions?: KibanaAlertingRuleAction[];
}

/** `elasticstack_kibana_alerting_rule`. */
export class KibanaAlertingRule extends ElasticstackResource<KibanaAlertingRuleConfig> {
  public static readonly tfResourceType = 'elasticstack_kibana_alerting_rule';

  public constructor(scope: Construct, id: string, config: KibanaAlertingRuleConfig) {
    super(scope, id, KibanaAlertingRule.tfResourceType, config);
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
      // "Block List": one element per action.
      actions: c.actions?.map((action) => definedOnly({ id: action.id, params: action.params, group: action.group })),
    });
  }
}
