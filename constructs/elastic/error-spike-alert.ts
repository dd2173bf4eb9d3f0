import { Construct } from 'constructs';
import { ValidationError, requireWholeNumber } from '../private/validation.js';
import { KibanaAlertingRule, type KibanaActionConnector, type ElasticsearchIndex } from './bindings/index.js';
import { AlertConnectors, RECOVERED_GROUP, checkAlertWebhook, type AlertWebhook, type ElasticLicence } from './alert-connectors.js';
import { SERVICE_ERROR_KQL } from './dashboard-saved-objects.js';

export interface ErrorSpikeAlertProps {
  /** The environment the rule and its connectors are named and tagged for, e.g. `dev`. */
  readonly environment: string;
  /** Name of the Kibana rule (see `elasticObjectNames`). */
  readonly ruleName: string;
  /** Index patterns of the log data streams. */
  readonly indexPatterns: readonly string[];
  /** Error lines per service within the window that fire the alert */
  readonly errorThreshold: number;
  /** Window the errors are counted over, in minutes. */
  readonly windowMinutes: number;
  /** Sources the rule tracks separately (one alert per `service.name`); sizes the grouping. */
  readonly sourceCount: number;
  /** Index the `.index` connector writes the alert history to; created here. */
  readonly historyIndexName: string;
  /** Elasticsearch data nodes: a single node gets no replicas of the history index. */
  readonly dataNodes: number;
  /**
   * The licence the cluster runs; decides which connectors may exist.
   * @default 'basic'
   */
  readonly licence?: ElasticLicence;
  /**
   * Also post to a webhook; needs a Gold licence or higher.
   * @default none: server log and index only
   */
  readonly webhook?: AlertWebhook;
  /**
   * How often the rule runs.
   * @default '1m'
   */
  readonly checkInterval?: string;
}

/** The index-threshold rule type's action group that fires when the threshold is met. */
export const THRESHOLD_MET_GROUP = 'threshold met';

/**
 * An alert rule on error spikes per service: counts a service's own lines at error level
 * or worse (dead letters excluded) per `service.name` over a sliding window. A spike and its
 * end are written to Kibana's server log and to the alert-history index (both Basic-licence
 * connectors) and, with a Gold licence or higher, posted to a webhook.
 */
export class ErrorSpikeAlert extends Construct {
  public readonly rule: KibanaAlertingRule;
  /** The connectors its actions notify; the platform's other rules notify the same ones. */
  public readonly alertConnectors: AlertConnectors;
  public readonly connectors: readonly KibanaActionConnector[];
  public readonly historyIndex: ElasticsearchIndex;

  public constructor(scope: Construct, id: string, props: ErrorSpikeAlertProps) {
    super(scope, id);
    requireWholeNumber(this, 'errorThreshold', props.errorThreshold, { min: 1 });
    // How long a window an environment may choose is the settings schema's rule.
    requireWholeNumber(this, 'windowMinutes', props.windowMinutes, { min: 1, unit: 'minutes' });
    if (props.indexPatterns.length === 0) {
      throw new ValidationError(this, 'indexPatterns must name at least one index pattern');
    }
    if (props.webhook) checkAlertWebhook(this, props.webhook, props.licence ?? 'basic');

    // Child id "Default" is left out of Terraform addresses (cdktf's unique ids), so the
    // connectors and the history index kept the addresses they had when this construct
    // declared them itself: no deployed history is replaced.
    this.alertConnectors = new AlertConnectors(this, 'Default', {
      environment: props.environment,
      historyIndexName: props.historyIndexName,
      dataNodes: props.dataNodes,
      ...(props.licence ? { licence: props.licence } : {}),
      ...(props.webhook ? { webhook: props.webhook } : {}),
    });
    this.connectors = this.alertConnectors.connectors;
    this.historyIndex = this.alertConnectors.historyIndex;

    const actions = this.alertConnectors.actionsFor(
      [THRESHOLD_MET_GROUP, RECOVERED_GROUP].map((group) => ({
        group,
        message: '{{context.message}}',
        document: { service: { name: '{{context.group}}' }, alert: { value: '{{context.value}}' } },
        webhookFields: { service: '{{context.group}}', errors: '{{context.value}}' },
      })),
    );

    this.rule = new KibanaAlertingRule(this, 'rule', {
      name: props.ruleName,
      consumer: 'alerts',
      ruleTypeId: '.index-threshold',
      interval: props.checkInterval ?? '1m',
      enabled: true,
      tags: ['platform', props.environment, 'logs'],
      params: JSON.stringify({
        index: [...props.indexPatterns],
        timeField: '@timestamp',
        aggType: 'count',
        groupBy: 'top',
        termField: 'service.name',
        termSize: Math.max(props.sourceCount, 1),
        timeWindowSize: props.windowMinutes,
        timeWindowUnit: 'm',
        thresholdComparator: '>=',
        threshold: [props.errorThreshold],
        filterKuery: SERVICE_ERROR_KQL,
      }),
      actions,
    });
  }
}
