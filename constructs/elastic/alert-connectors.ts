import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../private/validation.js';
import {
  ElasticsearchIndex,
  KibanaActionConnector,
  type KibanaAlertingRuleAction,
  type KibanaAlertingRuleActionFrequency,
} from './bindings/index.js';
import { ALERT_HISTORY_MAPPINGS } from './alert-history.js';
import { replicaCount } from './log-mappings.js';

/** The Elastic licences, lowest first; the settings schema's `alerts.licence` derives from it. */
export const ELASTIC_LICENCES = ['basic', 'trial', 'gold', 'platinum', 'enterprise'] as const;
/** The Elastic licence a cluster runs. */
export type ElasticLicence = (typeof ELASTIC_LICENCES)[number];
/** Where the alerts also post. */
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

export interface AlertConnectorsProps {
  /** The environment the connectors are named for, e.g. `dev`. */
  readonly environment: string;
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
}

/**
 * The group an alert's actions run in when it stops: the alerting framework's default
 * recovery group, which `.index-threshold` and `.es-query` keep (Kibana x-pack/platform/plugins/shared/
 * stack_alerts/server/rule_types/<type>/rule_type.ts sets no `recoveryActionGroup`; the default is
 * `RecoveredActionGroup`, id `recovered`).
 */
export const RECOVERED_GROUP = 'recovered';

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
 * One notification when an alert starts and one when it stops, per alert, not one per check
 * (per-action frequency: the rule-level notify_when is deprecated since 8.13).
 */
const ON_CHANGE: KibanaAlertingRuleActionFrequency = { summary: false, notifyWhen: 'onActionGroupChange' };

/** What one action group of a rule tells every connector (Mustache templates of the rule type's context). */
export interface AlertNotification {
  /** The rule type's action group, e.g. `threshold met`, `query matched` or RECOVERED_GROUP. */
  readonly group: string;
  /** The message, e.g. `{{context.message}}`; the connectors prefix it with the rule's name. */
  readonly message: string;
  /** Fields of the alert-history document besides `message`, `event.action` and `rule.name` (mapped in ALERT_HISTORY_MAPPINGS). */
  readonly document: Readonly<Record<string, unknown>>;
  /** Fields of the generic webhook's JSON body between `state` and `message`. */
  readonly webhookFields: Readonly<Record<string, string>>;
}

/**
 * The connectors every platform alert rule notifies, declared once per environment: Kibana's
 * server log and the alert-history index (both Basic-licence), and, with a Gold licence or
 * higher, a webhook. `actionsFor` turns a rule's notifications into its actions, so each rule
 * names what it says and every rule reaches the same places the same way.
 */
export class AlertConnectors extends Construct {
  public readonly connectors: readonly KibanaActionConnector[];
  public readonly historyIndex: ElasticsearchIndex;
  private readonly serverLog: KibanaActionConnector;
  private readonly history: KibanaActionConnector;
  private readonly webhook?: { readonly kind: AlertWebhookKind; readonly connector: KibanaActionConnector };

  public constructor(scope: Construct, id: string, props: AlertConnectorsProps) {
    super(scope, id);
    const licence = props.licence ?? 'basic';
    if (props.webhook) checkAlertWebhook(this, props.webhook, licence);

    this.historyIndex = new ElasticsearchIndex(this, 'history-index', {
      name: props.historyIndexName,
      mappings: JSON.stringify(ALERT_HISTORY_MAPPINGS),
      numberOfShards: 1,
      numberOfReplicas: replicaCount(props.dataNodes),
      // Alert history goes with the environment's elastic stack on destroy (the provider's default would fail the destroy).
      deletionProtection: false,
    });

    this.serverLog = new KibanaActionConnector(this, 'server-log', {
      name: `Platform ${props.environment}: server log`,
      connectorTypeId: '.server-log',
    });
    // Kibana's .index connector bulk-writes through the rule's scoped cluster client
    // (stack_connectors/server/connector_types/es_index/index.ts, executor), i.e. with the
    // rule's API key: the provisioner's privileges, which grant create_doc on this index.
    this.history = new KibanaActionConnector(this, 'history', {
      name: `Platform ${props.environment}: alert history index`,
      connectorTypeId: '.index',
      config: Fn.jsonencode({ index: this.historyIndex.name, executionTimeField: '@timestamp', refresh: false }),
    });
    const connectors = [this.serverLog, this.history];
    if (props.webhook) {
      const connector = props.webhook.kind === 'slack' ? slackConnector(this, props.environment, props.webhook) : genericWebhookConnector(this, props.environment, props.webhook.url);
      this.webhook = { kind: props.webhook.kind, connector };
      connectors.push(connector);
    }
    this.connectors = connectors;
  }

  /** The rule actions of `notifications`: server log and history per notification, then the webhook's. */
  public actionsFor(notifications: readonly AlertNotification[]): KibanaAlertingRuleAction[] {
    const actions: KibanaAlertingRuleAction[] = notifications.flatMap((n) => [
      {
        id: this.serverLog.connectorId,
        group: n.group,
        params: JSON.stringify({ level: n.group === RECOVERED_GROUP ? 'info' : 'error', message: `{{rule.name}}: ${n.message}` }),
        frequency: ON_CHANGE,
      },
      {
        id: this.history.connectorId,
        group: n.group,
        params: JSON.stringify({ documents: [{ message: n.message, event: { action: n.group }, rule: { name: '{{rule.name}}' }, ...n.document }] }),
        frequency: ON_CHANGE,
      },
    ]);
    const webhook = this.webhook;
    if (webhook) {
      for (const n of notifications) {
        const icon = n.group === RECOVERED_GROUP ? ':white_check_mark:' : ':rotating_light:';
        actions.push({
          id: webhook.connector.connectorId,
          group: n.group,
          params:
            webhook.kind === 'slack'
              ? JSON.stringify({ message: `${icon} {{rule.name}}: ${n.message}` })
              : JSON.stringify({
                  // Kibana renders webhook bodies with JSON escaping of the variables.
                  body: JSON.stringify({ rule: '{{rule.name}}', state: n.group, ...n.webhookFields, message: n.message }),
                }),
          frequency: ON_CHANGE,
        });
      }
    }
    return actions;
  }
}

/** Refuses a webhook the licence does not allow, or whose URL is a literal, at `scope`. */
export function checkAlertWebhook(scope: Construct, webhook: AlertWebhook, licence: ElasticLicence): void {
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
