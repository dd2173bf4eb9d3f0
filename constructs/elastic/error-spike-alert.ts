import { ConfigError } from '../../stacks/config/index.js';
import { Construct } from 'constructs';
import { KibanaActionConnector, KibanaAlertingRule, type KibanaAlertingRuleAction } from './bindings/index.js';
import { ERROR_LEVEL_KQL } from './dashboard-saved-objects.js';

export interface ErrorSpikeAlertProps {
  readonly environment: string;
  readonly ruleName: string;
  /** Index patterns of the log data streams. */
  readonly indexPatterns: readonly string[];
  /** Error lines per service within the window that fire the alert (config.alerts.errorThreshold). */
  readonly errorThreshold: number;
  /** Window the errors are counted over, in minutes (config.alerts.windowMinutes). */
  readonly windowMinutes: number;
  /**
   * Sources the rule tracks separately (one alert per `service.name`); sizes the grouping.
   */
  readonly sourceCount: number;
  /**
   * Optional http(s) URL the alert also posts to (config.alerts.webhookUrl); a Slack
   * incoming-webhook URL gets Slack's connector, any other URL a generic webhook.
   * @default none: server log only
   */
  readonly webhookUrl?: string;
  /**
   * How often the rule runs.
   * @default '1m'
   */
  readonly checkInterval?: string;
}

/** The index-threshold rule type's action group that fires when the threshold is met. */
export const THRESHOLD_MET_GROUP = 'threshold met';

const SLACK_WEBHOOK_HOST = 'hooks.slack.com';

/**
 * An alert rule on error spikes per service: counts lines at error level or worse
 * per `service.name` over a sliding window. It always writes to Kibana's server
 * log (a connector that needs no outside service) and, when a webhook URL is
 * configured, also posts there.
 */
export class ErrorSpikeAlert extends Construct {
  public readonly rule: KibanaAlertingRule;
  public readonly connectors: readonly KibanaActionConnector[];

  public constructor(scope: Construct, id: string, props: ErrorSpikeAlertProps) {
    super(scope, id);
    if (!Number.isInteger(props.errorThreshold) || props.errorThreshold < 1) {
      throw new ConfigError(`ErrorSpikeAlert: errorThreshold ${props.errorThreshold} must be a whole number >= 1 (setting alerts.errorThreshold)`);
    }
    if (!Number.isInteger(props.windowMinutes) || props.windowMinutes < 1 || props.windowMinutes > 1440) {
      throw new ConfigError(`ErrorSpikeAlert: windowMinutes ${props.windowMinutes} must be a whole number from 1 to 1440 (setting alerts.windowMinutes)`);
    }
    if (props.indexPatterns.length === 0) {
      throw new ConfigError('ErrorSpikeAlert: indexPatterns must name at least one index pattern');
    }
    let webhook: URL | undefined;
    if (props.webhookUrl !== undefined) {
      webhook = URL.canParse(props.webhookUrl) ? new URL(props.webhookUrl) : undefined;
      if (!webhook || (webhook.protocol !== 'https:' && webhook.protocol !== 'http:')) {
        throw new ConfigError(`ErrorSpikeAlert: webhookUrl "${props.webhookUrl}" must be an http(s) URL (setting alerts.webhookUrl)`);
      }
    }

    const serverLog = new KibanaActionConnector(this, 'server-log', {
      name: `Platform ${props.environment}: server log`,
      connectorTypeId: '.server-log',
    });
    const actions: KibanaAlertingRuleAction[] = [
      {
        id: serverLog.connectorId,
        group: THRESHOLD_MET_GROUP,
        params: JSON.stringify({ level: 'error', message: '{{rule.name}}: {{context.message}}' }),
      },
    ];
    const connectors = [serverLog];

    if (webhook) {
      const slack = webhook.hostname === SLACK_WEBHOOK_HOST;
      const connector = slack
        ? new KibanaActionConnector(this, 'slack', {
            name: `Platform ${props.environment}: Slack`,
            connectorTypeId: '.slack',
            secrets: JSON.stringify({ webhookUrl: webhook.href }),
          })
        : new KibanaActionConnector(this, 'webhook', {
            name: `Platform ${props.environment}: webhook`,
            connectorTypeId: '.webhook',
            config: JSON.stringify({
              url: webhook.href,
              method: 'post',
              hasAuth: false,
              headers: { 'Content-Type': 'application/json' },
            }),
            secrets: JSON.stringify({}),
          });
      connectors.push(connector);
      actions.push({
        id: connector.connectorId,
        group: THRESHOLD_MET_GROUP,
        params: slack
          ? JSON.stringify({ message: ':rotating_light: {{rule.name}}: {{context.message}}' })
          : JSON.stringify({
              // Kibana renders webhook bodies with JSON escaping of the variables.
              body: '{"rule":"{{rule.name}}","service":"{{context.group}}","errors":{{context.value}},"message":"{{context.message}}"}',
            }),
      });
    }
    this.connectors = connectors;

    this.rule = new KibanaAlertingRule(this, 'rule', {
      name: props.ruleName,
      consumer: 'alerts',
      ruleTypeId: '.index-threshold',
      interval: props.checkInterval ?? '1m',
      enabled: true,
      // One notification when a service starts (or stops) spiking, not one per check.
      notifyWhen: 'onActionGroupChange',
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
        filterKuery: ERROR_LEVEL_KQL,
      }),
      actions,
    });
  }
}
