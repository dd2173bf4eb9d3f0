import { App, TerraformStack, Testing } from 'cdktf';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES } from '@platform/contract';
import { ValidationError } from '../../../constructs/private/validation.js';
import { resolveEnvironmentConfig, type EnvironmentSettings } from '../../../stacks/config/index.js';
import { ALERT_WEBHOOK_URL_VARIABLE, ALERT_WEBHOOK_URL_VERSION_VARIABLE, ElasticStack, WRITE_ONLY_MIN_VERSION } from '../../../stacks/elastic-stack.js';
import { ALERT_HISTORY_INDEX_PATTERN, alertHistoryIndexName } from '../../../constructs/elastic/alert-history.js';
import { KibanaAlertingRule } from '../../../constructs/elastic/bindings/index.js';
import { DEAD_LETTER_KQL, DEAD_LETTER_TAG, ERROR_LEVEL_KQL, SERVICE_ERROR_KQL, elasticObjectNames, type SavedObject } from '../../../constructs/elastic/index.js';
import { AlertConnectors, CONNECTOR_MINIMUM_LICENCE, RECOVERED_GROUP } from '../../../constructs/elastic/alert-connectors.js';
import { ClusterHealthAlert, QUERY_MATCHED_GROUP, unhealthyStatuses } from '../../../constructs/elastic/cluster-health-alert.js';
import { CLUSTER_STATS_INDEX_PATTERNS, CLUSTER_STATUS_FIELD } from '../../../constructs/elastic/stack-monitoring.js';
import { THRESHOLD_MET_GROUP } from '../../../constructs/elastic/error-spike-alert.js';
import { PLATFORM_ROLE_NAMES, platformRoles } from '../../../constructs/security/roles.js';
import { ConnectionSourceStack, synthElasticStack, type SynthesizedElasticStack } from '../../support/elasticstack-schema-fixture.js';

type Resource = Record<string, any>;
const all = (s: SynthesizedElasticStack, type: string): [string, Resource][] => Object.entries(s.tf.resource[type] ?? {});
const only = (s: SynthesizedElasticStack, type: string): Resource => {
  const found = all(s, type);
  expect(found, type).toHaveLength(1);
  return found[0]![1];
};
/** The error-spike rule (the stack also declares the cluster-health rule). */
const errorSpikeRule = (s: SynthesizedElasticStack): Resource => {
  const rules = all(s, 'elasticstack_kibana_alerting_rule').filter(([, r]) => r.rule_type_id === '.index-threshold');
  expect(rules).toHaveLength(1);
  return rules[0]![1];
};
const connectorRef = (s: SynthesizedElasticStack, typeId: string): string => {
  const found = all(s, 'elasticstack_kibana_action_connector').find(([, c]) => c.connector_type_id === typeId);
  if (!found) throw new Error(`no ${typeId} connector`);
  return `\${elasticstack_kibana_action_connector.${found[0]}.connector_id}`;
};
const synth = (alerts: EnvironmentSettings['alerts']) => synthElasticStack('dev', { settings: { alerts } });
/** The stack's Terraform `variable` blocks (the fixture's type leaves them out). */
const variables = (s: SynthesizedElasticStack): Record<string, Resource> => (s.tf as { variable?: Record<string, Resource> }).variable ?? {};

describe('licence-gated connectors', () => {
  it.each(['slack', 'generic'] as const)('refuses alerts.webhook %s on the default basic licence, naming the licence', (webhook) => {
    const connector = webhook === 'slack' ? '.slack' : '.webhook';
    expect(() => synth({ webhook })).toThrow(
      new RegExp(`^dev-elastic/error-spike-alert: webhook "${webhook}" needs Kibana's \\${connector} connector, which requires a gold licence or higher, but licence is "basic"`),
    );
    expect(() => synth({ webhook, licence: 'basic' })).toThrow(ValidationError);
  });

  it.each(['trial', 'gold', 'platinum', 'enterprise'] as const)('accepts a webhook when the environment declares %s', (licence) => {
    const s = synth({ webhook: 'slack', licence });
    expect(all(s, 'elasticstack_kibana_action_connector').map(([, c]) => c.connector_type_id).sort()).toEqual(['.index', '.server-log', '.slack']);
  });

  it('uses only Basic connectors by default: server log and the alert-history index', () => {
    const s = synth({});
    const types = all(s, 'elasticstack_kibana_action_connector').map(([, c]) => c.connector_type_id as keyof typeof CONNECTOR_MINIMUM_LICENCE);
    expect(types.sort()).toEqual(['.index', '.server-log']);
    for (const type of types) expect(CONNECTOR_MINIMUM_LICENCE[type]).toBe('basic');
    expect(variables(s)[ALERT_WEBHOOK_URL_VARIABLE]).toBeUndefined();
  });
});

describe('the alert-history index connector', () => {
  const s = synth({});

  it('writes to an index the stack creates, outside the log patterns', () => {
    const [indexKey, index] = all(s, 'elasticstack_elasticsearch_index')[0]!;
    expect(index.name).toBe(alertHistoryIndexName('dev'));
    expect(index.name).not.toMatch(/^logs-/);
    expect(index.deletion_protection).toBe(false);
    expect(index.number_of_replicas).toBe(0); // dev runs one Elasticsearch node
    expect(JSON.parse(index.mappings).properties['@timestamp']).toEqual({ type: 'date' });
    const connector = all(s, 'elasticstack_kibana_action_connector').find(([, c]) => c.connector_type_id === '.index')![1];
    expect(connector.config).toBe(`\${jsonencode({"index" = elasticstack_elasticsearch_index.${indexKey}.name, "executionTimeField" = "@timestamp", "refresh" = false})}`);
  });

  it('is writable by the provisioner, whose API key the rule and its .index action run with', () => {
    const role = platformRoles({ elasticVersion: '9.5.3' })[PLATFORM_ROLE_NAMES.provisioner];
    const grant = role.indices.find((g) => g.names.includes(ALERT_HISTORY_INDEX_PATTERN));
    expect(grant?.privileges).toEqual(expect.arrayContaining(['create_doc', 'manage']));
    expect(alertHistoryIndexName('staging')).toBe(ALERT_HISTORY_INDEX_PATTERN.replace('*', 'staging'));
  });

  it('gets a document for a spike and for its end', () => {
    const actions = errorSpikeRule(s).actions as Resource[];
    const history = actions.filter((a) => a.id === connectorRef(s, '.index'));
    expect(history.map((a) => a.group)).toEqual([THRESHOLD_MET_GROUP, RECOVERED_GROUP]);
    for (const action of history) {
      expect(JSON.parse(action.params).documents).toEqual([expect.objectContaining({ event: { action: action.group }, service: { name: '{{context.group}}' } })]);
    }
  });
});

describe('the webhook URL is a secret', () => {
  const url = 'https://hooks.slack.com/services/TSECRET/BSECRET/do-not-leak-3f9a';
  const saved = process.env[`TF_VAR_${ALERT_WEBHOOK_URL_VARIABLE}`];
  afterEach(() => {
    if (saved === undefined) delete process.env[`TF_VAR_${ALERT_WEBHOOK_URL_VARIABLE}`];
    else process.env[`TF_VAR_${ALERT_WEBHOOK_URL_VARIABLE}`] = saved;
  });

  it.each(['slack', 'generic'] as const)('%s: no synthesized file holds the URL, even with TF_VAR set while synthesizing', (webhook) => {
    process.env[`TF_VAR_${ALERT_WEBHOOK_URL_VARIABLE}`] = url;
    const outdir = mkdtempSync(join(tmpdir(), 'elastic-alerts-'));
    try {
      const app = new App({ outdir, stackTraces: false });
      const config = resolveEnvironmentConfig('dev', { alerts: { licence: 'gold', webhook } });
      const source = new ConnectionSourceStack(app, 'dev-platform', config);
      new ElasticStack(app, 'dev-elastic', { config, services: SERVICES, connection: source.connection });
      app.synth();
      const files = readdirSync(outdir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const text = readFileSync(join(file.parentPath, file.name), 'utf8');
        expect(text, file.name).not.toContain('do-not-leak-3f9a');
        expect(text, file.name).not.toContain('hooks.slack.com');
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('comes from a sensitive variable without a default, checked to be an http(s) URL', () => {
    const s = synth({ licence: 'gold', webhook: 'slack' });
    const variable = variables(s)[ALERT_WEBHOOK_URL_VARIABLE]!;
    expect(variable).toMatchObject({ type: 'string', sensitive: true, nullable: false });
    expect(variable.default).toBeUndefined();
    expect(variable.validation[0].condition).toContain(`var.${ALERT_WEBHOOK_URL_VARIABLE}`);
  });

  it('Slack: the URL is ephemeral and goes to the write-only secrets_wo, so neither state nor plan holds it', () => {
    const s = synth({ licence: 'gold', webhook: 'slack' });
    expect(variables(s)[ALERT_WEBHOOK_URL_VARIABLE]!.ephemeral).toBe(true);
    const slack = all(s, 'elasticstack_kibana_action_connector').find(([, c]) => c.connector_type_id === '.slack')![1];
    expect(slack.secrets).toBeUndefined();
    expect(slack.secrets_wo).toContain(`var.${ALERT_WEBHOOK_URL_VARIABLE}`);
    // A write-only value cannot be diffed: the version variable is what makes a rotated URL reach Kibana.
    expect(slack.secrets_wo_version).toContain(`var.${ALERT_WEBHOOK_URL_VERSION_VARIABLE}`);
    expect(variables(s)[ALERT_WEBHOOK_URL_VERSION_VARIABLE]).toMatchObject({ type: 'string', default: '1' });
    // Write-only attributes need Terraform/OpenTofu 1.11: init refuses an older binary by name.
    expect((s.tf as { terraform: { required_version?: string } }).terraform.required_version).toBe(`>= ${WRITE_ONLY_MIN_VERSION}`);
  });

  it('generic webhook: its URL is connector config (an ordinary attribute), so the variable stays non-ephemeral and no version floor is set', () => {
    const s = synth({ licence: 'gold', webhook: 'generic' });
    expect(variables(s)[ALERT_WEBHOOK_URL_VARIABLE]!.ephemeral).toBeUndefined();
    expect((s.tf as { terraform: { required_version?: string } }).terraform.required_version).toBeUndefined();
    const webhook = all(s, 'elasticstack_kibana_action_connector').find(([, c]) => c.connector_type_id === '.webhook')![1];
    expect(webhook.config).toContain(`var.${ALERT_WEBHOOK_URL_VARIABLE}`);
  });
});

describe('rule actions', () => {
  const s = synth({ licence: 'gold', webhook: 'generic' });
  const rule = errorSpikeRule(s);
  const actions = rule.actions as Resource[];

  it('set their frequency per action, with no deprecated rule-level notify_when or throttle', () => {
    expect(rule.notify_when).toBeUndefined();
    expect(rule.throttle).toBeUndefined();
    expect(actions.length).toBe(6);
    for (const action of actions) expect(action.frequency).toEqual({ summary: false, notify_when: 'onActionGroupChange' });
  });

  it('notify on a spike and on its recovery through every connector', () => {
    for (const type of ['.server-log', '.index', '.webhook']) {
      const groups = actions.filter((a) => a.id === connectorRef(s, type)).map((a) => a.group);
      expect(groups, type).toEqual([THRESHOLD_MET_GROUP, RECOVERED_GROUP]);
    }
    expect(RECOVERED_GROUP).toBe('recovered');
  });

  it('the binding refuses per-action frequency next to the deprecated rule-level notify_when', () => {
    const stack = new TerraformStack(Testing.app(), 't');
    const frequency = { summary: false, notifyWhen: 'onActionGroupChange' } as const;
    expect(
      () =>
        new KibanaAlertingRule(stack, 'r', {
          name: 'r',
          consumer: 'alerts',
          ruleTypeId: '.index-threshold',
          interval: '1m',
          params: '{}',
          notifyWhen: 'onActionGroupChange',
          actions: [{ id: 'c', params: '{}', frequency }],
        }),
    ).toThrow(/rule-level notifyWhen\/throttle cannot be combined with per-action frequency/);
  });
});

describe('dead letters are counted apart from service errors', () => {
  const s = synth({});
  const objects = String(only(s, 'elasticstack_kibana_import_saved_objects').file_contents)
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SavedObject);
  const lens = (suffix: string) => objects.find((o) => o.id === `${elasticObjectNames('dev').savedObjectPrefix}-${suffix}`)!;
  const query = (o: SavedObject) => (o.attributes.state as any).query.query as string;

  it('the alert and the error chart exclude the dead-letter tag', () => {
    expect(SERVICE_ERROR_KQL).toBe(`${ERROR_LEVEL_KQL} and not tags : "${DEAD_LETTER_TAG}"`);
    expect(JSON.parse(errorSpikeRule(s).params).filterKuery).toBe(SERVICE_ERROR_KQL);
    expect(query(lens('errors'))).toBe(SERVICE_ERROR_KQL);
  });

  it('a panel counts dead letters per origin service', () => {
    const panel = lens('dead-letters');
    expect(query(panel)).toBe(DEAD_LETTER_KQL);
    const layer = (panel.attributes.state as any).datasourceStates.formBased.layers.layer1.columns;
    expect(layer.split.sourceField).toBe('service.name');
    const dashboard = objects.find((o) => o.type === 'dashboard')!;
    expect(dashboard.references.map((r) => r.id)).toContain(panel.id);
  });

  it('dead-letters.conf tags every dead letter with exactly that tag', () => {
    const conf = readFileSync(new URL('../../../pipelines/logstash/dead-letters.conf', import.meta.url), 'utf8');
    expect(conf).toContain(`event.set('tags', ['${DEAD_LETTER_TAG}'])`);
  });
});

describe('the dashboard import', () => {
  const imported = only(synth({}), 'elasticstack_kibana_import_saved_objects');

  it('fails the apply on a partial import (the provider only warns), and never ignores errors', () => {
    expect(imported.lifecycle.postcondition).toEqual([{ condition: '${self.success}', error_message: expect.stringContaining('${jsonencode(self.errors)}') }]);
    expect(imported.ignore_import_errors).toBeUndefined();
    expect(imported.overwrite).toBe(true);
  });
});

describe('cluster-health rule', () => {
  const healthRule = (s: SynthesizedElasticStack): Resource => {
    const rules = all(s, 'elasticstack_kibana_alerting_rule').filter(([, r]) => r.rule_type_id === '.es-query');
    expect(rules).toHaveLength(1);
    return rules[0]![1];
  };
  const dev = synth({});
  const staging = synthElasticStack('staging');

  it('is an Elasticsearch query rule (Basic licence) over the cluster_stats documents Metricbeat writes, checked each minute', () => {
    const rule = healthRule(dev);
    expect(rule).toMatchObject({ consumer: 'alerts', interval: '1m', enabled: true, name: elasticObjectNames('dev').clusterHealthRule });
    const params = JSON.parse(rule.params);
    expect(params).toMatchObject({
      searchType: 'esQuery',
      index: [...CLUSTER_STATS_INDEX_PATTERNS],
      timeField: '@timestamp',
      timeWindowSize: 1,
      timeWindowUnit: 'm',
      thresholdComparator: '>',
      threshold: [0],
      excludeHitsFromPreviousRun: false,
    });
    // Metricbeat's xpack-mode cluster_stats documents land in .monitoring-es-8-mb.
    expect(CLUSTER_STATS_INDEX_PATTERNS.some((p) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test('.monitoring-es-8-mb'))).toBe(true);
  });

  it('fires on red with one node, and on yellow or red with three (where shards have replicas)', () => {
    const statuses = (s: SynthesizedElasticStack) => JSON.parse(JSON.parse(healthRule(s).params).esQuery).query.bool.filter[0].terms[CLUSTER_STATUS_FIELD];
    expect(statuses(dev)).toEqual(['red']);
    expect(statuses(staging)).toEqual(['yellow', 'red']);
    expect(unhealthyStatuses(1)).toEqual(['red']);
  });

  it('alerts only after alerts.clusterHealthMinutes consecutive unhealthy checks', () => {
    expect(healthRule(dev).alert_delay).toBe(resolveEnvironmentConfig('dev', {}).alerts.clusterHealthMinutes);
    expect(healthRule(synth({ clusterHealthMinutes: 15 })).alert_delay).toBe(15);
  });

  it('notifies the very connectors of the error-spike rule, on alert and on recovery, and creates none of its own', () => {
    const s = synth({ licence: 'gold', webhook: 'generic' });
    expect(all(s, 'elasticstack_kibana_action_connector').map(([, c]) => c.connector_type_id).sort()).toEqual(['.index', '.server-log', '.webhook']);
    const actions = healthRule(s).actions as Resource[];
    for (const type of ['.server-log', '.index', '.webhook']) {
      const groups = actions.filter((a) => a.id === connectorRef(s, type)).map((a) => a.group);
      expect(groups, type).toEqual([QUERY_MATCHED_GROUP, RECOVERED_GROUP]);
    }
    for (const action of actions) expect(action.frequency).toEqual({ summary: false, notify_when: 'onActionGroupChange' });
    const history = actions.find((a) => a.id === connectorRef(s, '.index') && a.group === QUERY_MATCHED_GROUP)!;
    expect(JSON.parse(history.params).documents[0]).toMatchObject({ event: { action: QUERY_MATCHED_GROUP }, rule: { name: '{{rule.name}}' } });
  });

  it('searches only what the provisioner, whose API key the rule runs with, may read', () => {
    const grants = platformRoles({ elasticVersion: '9.5.3' })[PLATFORM_ROLE_NAMES.provisioner].indices;
    for (const pattern of JSON.parse(healthRule(dev).params).index as string[]) {
      expect(grants.some((g) => g.names.includes(pattern) && g.privileges.includes('read')), pattern).toBe(true);
    }
  });

  it('refuses a wait under one minute, naming the prop', () => {
    const s = new TerraformStack(Testing.app(), 't');
    const connectors = new AlertConnectors(s, 'connectors', { environment: 'dev', historyIndexName: 'platform-alerts-dev', dataNodes: 1 });
    expect(() => new ClusterHealthAlert(s, 'health', { environment: 'dev', ruleName: 'r', minutes: 0, dataNodes: 1, connectors })).toThrow(
      /t\/health: minutes must be a whole number of minutes, at least 1 \(got 0\)/,
    );
  });
});
