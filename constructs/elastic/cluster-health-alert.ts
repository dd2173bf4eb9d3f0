import { Construct } from 'constructs';
import { ValidationError, requireWholeNumber } from '../private/validation.js';
import { KibanaAlertingRule } from './bindings/index.js';
import { RECOVERED_GROUP, type AlertConnectors } from './alert-connectors.js';
import { CLUSTER_STATS_INDEX_PATTERNS, CLUSTER_STATUS_FIELD } from './stack-monitoring.js';

/**
 * The Elasticsearch query rule type's action group when the query matches (Kibana
 * x-pack/platform/plugins/shared/stack_alerts/server/rule_types/es_query/constants.ts, ActionGroupId).
 */
export const QUERY_MATCHED_GROUP = 'query matched';

/** Cluster health values, worst last, as `_cluster/health` and Metricbeat's cluster_stats report them. */
export type ClusterStatus = 'green' | 'yellow' | 'red';

export interface ClusterHealthAlertProps {
  /** The environment the rule is named and tagged for, e.g. `dev`. */
  readonly environment: string;
  /** Name of the Kibana rule (see `elasticObjectNames`). */
  readonly ruleName: string;
  /** Minutes the cluster must stay unhealthy before the alert fires (consecutive one-minute checks). */
  readonly minutes: number;
  /**
   * Elasticsearch nodes. Yellow (a replica unassigned) is only a fault where shards have
   * replicas, i.e. with 3 nodes; a single node is yellow whenever an index asks for a replica.
   */
  readonly dataNodes: number;
  /** Where the rule's actions go: the same connectors as the error-spike rule. */
  readonly connectors: AlertConnectors;
}

/**
 * The statuses that count as unhealthy: red always; yellow too where the cluster has replicas
 * to lose (more than one data node).
 */
export function unhealthyStatuses(dataNodes: number): ClusterStatus[] {
  return dataNodes > 1 ? ['yellow', 'red'] : ['red'];
}

/**
 * An alert on cluster health from the Stack Monitoring data Metricbeat writes: an Elasticsearch
 * query rule (`.es-query`, a Basic-licence stack rule) that each minute looks for `cluster_stats`
 * documents of the last minute with an unhealthy status (Metricbeat reports one every 10 s from
 * the elected master). `alert_delay` makes the alert occur only after `minutes` consecutive
 * matching checks, i.e. the cluster was unhealthy for that long; it recovers at the first check
 * without one. Notifies the connectors it is given.
 */
export class ClusterHealthAlert extends Construct {
  public readonly rule: KibanaAlertingRule;
  /** The statuses the rule alerts on. */
  public readonly statuses: readonly ClusterStatus[];

  public constructor(scope: Construct, id: string, props: ClusterHealthAlertProps) {
    super(scope, id);
    // How long an environment may wait is the settings schema's rule.
    requireWholeNumber(this, 'minutes', props.minutes, { min: 1, unit: 'minutes' });
    requireWholeNumber(this, 'dataNodes', props.dataNodes, { min: 1 });
    if (props.connectors.connectors.length === 0) throw new ValidationError(this, 'connectors has no connector: the alert would notify no one');
    this.statuses = unhealthyStatuses(props.dataNodes);

    const actions = props.connectors.actionsFor(
      [QUERY_MATCHED_GROUP, RECOVERED_GROUP].map((group) => ({
        group,
        message:
          group === RECOVERED_GROUP
            ? `cluster health is back to ${props.dataNodes > 1 ? 'green' : 'green or yellow'}`
            : `cluster health ${this.statuses.join(' or ')} for ${props.minutes} minute(s): {{context.message}}`,
        document: { alert: { value: '{{context.value}}' } },
        webhookFields: { unhealthySamples: '{{context.value}}' },
      })),
    );

    this.rule = new KibanaAlertingRule(this, 'rule', {
      name: props.ruleName,
      consumer: 'alerts',
      ruleTypeId: '.es-query',
      // One check a minute over the minute before it; alert_delay counts the checks.
      interval: '1m',
      alertDelay: props.minutes,
      enabled: true,
      tags: ['platform', props.environment, 'stack-monitoring'],
      // Kibana x-pack/platform/plugins/shared/stack_alerts/server/rule_types/es_query/rule_type_params.ts (9.x).
      params: JSON.stringify({
        searchType: 'esQuery',
        index: [...CLUSTER_STATS_INDEX_PATTERNS],
        timeField: '@timestamp',
        esQuery: JSON.stringify({ query: { bool: { filter: [{ terms: { [CLUSTER_STATUS_FIELD]: [...this.statuses] } }] } } }),
        size: 1,
        timeWindowSize: 1,
        timeWindowUnit: 'm',
        thresholdComparator: '>',
        threshold: [0],
        // Each check must see the whole last minute, samples an earlier check saw included (the default, true, would skip them).
        excludeHitsFromPreviousRun: false,
        aggType: 'count',
        groupBy: 'all',
      }),
      actions,
    });
  }
}
