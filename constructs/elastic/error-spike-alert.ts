import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError, requireWholeNumber } from '../private/validation.js';
import {
  ElasticsearchIndex,
  KibanaActionConnector,
  KibanaAlertingRule,
  type KibanaAlertingRuleAction,
  type KibanaAlertingRuleActionFrequency,
} from './bindings/index.js';
import { ALERT_HISTORY_MAPPINGS } from './alert-history.js';
import { SERVICE_ERROR_KQL } from './dashboard-saved-objects.js';

/** The Elastic licences, lowest first; the settings schema's `alerts.licence` derives from it. */
export const ELASTIC_LICENCES = ['basic', 'trial', 'gold', 'platinum', 'enterprise'] as const;
/** The Elastic licence a cluster runs. */
export type ElasticLicence = (typeof ELASTIC_LICENCES)[number];
/** Where the alert also posts. */
export const ALERT_WEBHOOK_KINDS = ['slack', 'generic'] as const;
export type AlertWebhookKind = (typeof ALERT_WEBHOOK_KINDS)[number];

export interface AlertWebhook {
  readonly kind: AlertWebhookKind;
  /** The URL as a Terraform reference (a sensitive variable); a literal is refused, it would be written into cdk.tf.json. */
  readonly url: string;
  /**
   * Slack only: a reference whose change makes the provider send the (write-only) URL again,
   * e.g. after rotating it. Unused for `generic`, whose URL is ordinary connector config.
   */
  readonly urlVersion?: string;
}

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
 * The group an alert's actions run in when it stops: the alerting framework's default
 * recovery group, which `.index-threshold` keeps (Kibana x-pack/platform/plugins/shared/
 * stack_alerts/server/rule_types/index_threshold/rule_type.ts sets no `recoveryActionGroup`
 * and `doesSetRecoveryContext: true`; the default is `RecoveredActionGroup`, id `recovered`).
 */
export const RECOVERED_GROUP = 'recovered';
const GROUPS = [THRESHOLD_MET_GROUP, RECOVERED_GROUP] as const;

/**
 * The lowest licence of each connector type used here, as the type registers it in Kibana
 * (x-pack/platform/plugins/shared/stack_connectors/server/connector_types/<type>/index.ts,
 * `minimumLicenseRequired`: server_log and es_index 'basic', webhook and slack 'gold').
 */
export const CONNECTOR_MINIMUM_LICENCE = {
  '.server-log': 'basic',
  '.index': 'basic',
  '.webhook': 'gold',
  '.slack': 'gold',
} as const satisfies Record<string, ElasticLicence>;

/** Kibana compares licences by level; a trial unlocks every level until it expires. */
const LICENCE_LEVEL: Record<ElasticLicence, number> = { basic: 0, gold: 1, platinum: 2, enterprise: 3, trial: 3 };

const WEBHOOK_CONNECTOR_TYPE: Record<AlertWebhookKind, '.slack' | '.webhook'> = { slack: '.slack', generic: '.webhook' };

/**
 * One notification when a service starts spiking and one when it stops, per service,
 * not one per check (per-action frequency: the rule-level notify_when is deprecated since 8.13).
 */
const ON_CHANGE: KibanaAlertingRuleActionFrequency = { summary: false, notifyWhen: 'onActionGroupChange' };

/**
 * An alert rule on error spikes per service: counts a service's own lines at error level
 * or worse (dead letters excluded) per `service.name` over a sliding window. A spike and its
 * end are written to Kibana's server log and to the alert-history index (both Basic-licence
 * connectors) and, with a Gold licence or higher, posted to a webhook.
 */
export class ErrorSpikeAlert extends Construct {
  public readonly rule: KibanaAlertingRule;
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
    const licence = props.licence ?? 'basic';
    if (props.webhook) checkWebhook(this, props.webhook, licence);

    this.historyIndex = new ElasticsearchIndex(this, 'history-index', {
      name: props.historyIndexName,
      mappings: JSON.stringify(ALERT_HISTORY_MAPPINGS),
      numberOfShards: 1,
      numberOfReplicas: props.dataNodes > 1 ? 1 : 0,
      // Alert history goes with the environment's elastic stack on destroy (the provider's default would fail the destroy).
      deletionProtection: false,
    });

    const serverLog = new KibanaActionConnector(this, 'server-log', {
      name: `Platform ${props.environment}: server log`,
      connectorTypeId: '.server-log',
    });
    // Kibana's .index connector bulk-writes through the rule's scoped cluster client
    // (stack_connectors/server/connector_types/es_index/index.ts, executor), i.e. with the
    // rule's API key: the provisioner's privileges, which grant create_doc on this index.
    const history = new KibanaActionConnector(this, 'history', {
      name: `Platform ${props.environment}: alert history index`,
      connectorTypeId: '.index',
      config: Fn.jsonencode({ index: this.historyIndex.name, executionTimeField: '@timestamp', refresh: false }),
    });
    const connectors = [serverLog, history];
    const actions: KibanaAlertingRuleAction[] = GROUPS.flatMap((group) => [
      {
        id: serverLog.connectorId,
        group,
        params: JSON.stringify({ level: group === RECOVERED_GROUP ? 'info' : 'error', message: '{{rule.name}}: {{context.message}}' }),
        frequency: ON_CHANGE,
      },
      {
        id: history.connectorId,
        group,
        params: JSON.stringify({
          documents: [
            {
              message: '{{context.message}}',
              event: { action: group },
              rule: { name: '{{rule.name}}' },
              service: { name: '{{context.group}}' },
              alert: { value: '{{context.value}}' },
            },
          ],
        }),
        frequency: ON_CHANGE,
      },
    ]);

    if (props.webhook) {
      const webhook = props.webhook.kind === 'slack' ? slackConnector(this, props.environment, props.webhook) : genericWebhookConnector(this, props.environment, props.webhook.url);
      connectors.push(webhook);
      for (const group of GROUPS) {
        const icon = group === RECOVERED_GROUP ? ':white_check_mark:' : ':rotating_light:';
        actions.push({
          id: webhook.connectorId,
          group,
          params:
            props.webhook.kind === 'slack'
              ? JSON.stringify({ message: `${icon} {{rule.name}}: {{context.message}}` })
              : JSON.stringify({
                  // Kibana renders webhook bodies with JSON escaping of the variables.
                  body: `{"rule":"{{rule.name}}","state":"${group}","service":"{{context.group}}","errors":"{{context.value}}","message":"{{context.message}}"}`,
                }),
          frequency: ON_CHANGE,
        });
      }
    }
    this.connectors = connectors;

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

function checkWebhook(scope: Construct, webhook: AlertWebhook, licence: ElasticLicence): void {
  const connectorType = WEBHOOK_CONNECTOR_TYPE[webhook.kind];
  const needed = CONNECTOR_MINIMUM_LICENCE[connectorType];
  if (LICENCE_LEVEL[licence] < LICENCE_LEVEL[needed]) {
    throw new ValidationError(
      scope,
      `webhook "${webhook.kind}" needs Kibana's ${connectorType} connector, which requires a ${needed} licence or higher, ` +
        `but licence is "${licence}" (the platform starts Elasticsearch with the self-generated basic licence). ` +
        'Install a licence (or start the 30-day trial) and declare it in licence, or drop the webhook: the server log and alert-history index connectors need only basic.',
    );
  }
  if (!Token.isUnresolved(webhook.url)) {
    throw new ValidationError(
      scope,
      'webhook.url is a literal and would be written into cdk.tf.json; pass a reference to the sensitive variable alert_webhook_url (TF_VAR_alert_webhook_url)',
    );
  }
}

function slackConnector(scope: Construct, environment: string, webhook: AlertWebhook): KibanaActionConnector {
  return new KibanaActionConnector(scope, 'slack', {
    name: `Platform ${environment}: Slack`,
    connectorTypeId: '.slack',
    // Write-only: Kibana keeps it encrypted, and neither Terraform's state nor a plan file holds it.
    secretsWo: Fn.jsonencode({ webhookUrl: webhook.url }),
    secretsWoVersion: webhook.urlVersion,
  });
}

function genericWebhookConnector(scope: Construct, environment: string, url: string): KibanaActionConnector {
  return new KibanaActionConnector(scope, 'webhook', {
    name: `Platform ${environment}: webhook`,
    connectorTypeId: '.webhook',
    // The .webhook type keeps its URL in config (its secrets are credentials only): Kibana and
    // the Terraform state hold it unencrypted; plans show it as sensitive (it comes from the variable).
    config: Fn.jsonencode({ url, method: 'post', hasAuth: false, headers: { 'Content-Type': 'application/json' } }),
    secrets: JSON.stringify({}),
  });
}
