import { describe, expect, it } from 'vitest';
import { NGINX_LOG_SOURCE, SERVICES, dataStreamName, type ServiceDeclaration } from '@platform/contract';
import { loadEnvironmentConfig } from '../../stacks/config/index.js';
import {
  ELASTICSTACK_PROVIDER_VERSION,
} from '../../constructs/elastic/bindings/index.js';
import { LOG_MAPPINGS, SAVED_OBJECT_FORMAT, dataStreamKql, elasticObjectNames, routePrefixKql, type SavedObject } from '../../constructs/elastic/index.js';
import { ElasticStack } from '../../stacks/elastic-stack.js';
import { synthElasticStack, synthWithPlatformStack, type SynthesizedElasticStack } from '../support/elasticstack-schema-fixture.js';
import { Testing } from 'cdktf';

const ENVIRONMENTS = ['dev', 'staging'] as const;
const synthesized: Record<string, SynthesizedElasticStack> = Object.fromEntries(ENVIRONMENTS.map((env) => [env, synthElasticStack(env)]));

type Resources = Record<string, Record<string, unknown>>;
const resources = (s: SynthesizedElasticStack, type: string): Resources => (s.tf.resource[type] ?? {}) as Resources;
const only = (s: SynthesizedElasticStack, type: string): Record<string, unknown> => {
  const all = Object.values(resources(s, type));
  expect(all, type).toHaveLength(1);
  return all[0]!;
};
/** The error-spike rule (the stack also declares the cluster-health rule). */
const errorSpikeRule = (s: SynthesizedElasticStack): Record<string, unknown> => {
  const rules = Object.values(resources(s, 'elasticstack_kibana_alerting_rule')).filter((r) => r.rule_type_id === '.index-threshold');
  expect(rules).toHaveLength(1);
  return rules[0]!;
};
const refTo = (s: SynthesizedElasticStack, type: string, predicate: (r: Record<string, unknown>) => boolean, attribute: string) => {
  const found = Object.entries(resources(s, type)).find(([, r]) => predicate(r));
  if (!found) throw new Error(`no ${type} matches`);
  return `\${${type}.${found[0]}.${attribute}}`;
};

/** Elasticsearch's index-pattern wildcard semantics (only `*`). */
const matches = (pattern: string, name: string) =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name);

/** The machine-specific absolute state paths of cdktf's local backend. */
const portable = (json: string) => json.split(process.cwd()).join('<project>');

const savedObjects = (s: SynthesizedElasticStack): SavedObject[] =>
  String(only(s, 'elasticstack_kibana_import_saved_objects').file_contents)
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SavedObject);

describe.each(ENVIRONMENTS)('%s-elastic stack', (env) => {
  const s = synthesized[env]!;
  const config = loadEnvironmentConfig(env);
  const names = elasticObjectNames(env);

  it('matches its snapshot', () => {
    expect(portable(s.json)).toMatchSnapshot();
  });

  it('pins the elastic/elasticstack provider', () => {
    expect(s.tf.terraform?.required_providers?.elasticstack).toEqual({ source: 'elastic/elasticstack', version: ELASTICSTACK_PROVIDER_VERSION });
  });

  it('configures the provider from the platform stack, with TLS verified against its CA', () => {
    const [provider] = s.tf.provider.elasticstack!;
    const [es] = provider!.elasticsearch as Record<string, unknown>[];
    const [kibana] = provider!.kibana as Record<string, unknown>[];
    const remote = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-[a-z]+-platform\.outputs\.[^}]+\}$/;
    expect(es!.password).toMatch(remote);
    expect(es!.ca_data).toMatch(remote);
    expect(kibana!.password).toBe(es!.password);
    expect(es!.endpoints).toEqual([`https://127.0.0.1:${config.ports.elasticsearch}`]);
    expect(kibana!.endpoints).toEqual([`https://127.0.0.1:${config.ports.kibana}`]);
    expect(kibana!.ca_certs).toEqual([`\${path.root}/../../../.platform/${env}/ca.pem`]);
    expect(JSON.stringify(provider)).not.toMatch(/insecure/);
  });

  it('declares the ILM policy from the rollover and retention settings', () => {
    const policy = only(s, 'elasticstack_elasticsearch_index_lifecycle');
    expect(policy.name).toBe(names.lifecyclePolicy);
    expect(policy.hot).toEqual({
      min_age: '0ms',
      rollover: { max_age: config.rollover.maxAge, max_primary_shard_size: config.rollover.maxPrimaryShardSize },
    });
    expect(policy.delete).toEqual({ min_age: `${config.logRetentionDays}d`, delete: {} });
  });

  it('carries the shared ECS mappings and settings that attach the policy', () => {
    // The log streams' own parts; the APM `@custom` templates have tests of their own (apm-tracing.test.ts).
    const templates = Object.values(resources(s, 'elasticstack_elasticsearch_component_template')).filter((t) => !String(t.name).endsWith('@custom'));
    const byName = Object.fromEntries(templates.map((t) => [t.name as string, t.template as Record<string, string>]));
    expect(Object.keys(byName).sort()).toEqual([names.mappingsComponentTemplate, names.settingsComponentTemplate].sort());
    expect(JSON.parse(byName[names.mappingsComponentTemplate]!.mappings!)).toEqual(LOG_MAPPINGS);
    const settings = JSON.parse(byName[names.settingsComponentTemplate]!.settings!);
    const policyRef = refTo(s, 'elasticstack_elasticsearch_index_lifecycle', () => true, 'name');
    expect(settings.index.lifecycle.name).toBe(policyRef);
    expect(settings.index.number_of_replicas).toBe(config.elasticsearch.nodes > 1 ? 1 : 0);
  });

  it('composes an index template for every logs-<source>-<env> data stream, above the built-in logs-*-*', () => {
    const template = only(s, 'elasticstack_elasticsearch_index_template');
    expect(template.name).toBe(names.indexTemplate);
    expect(template.data_stream).toEqual({});
    expect(template.priority).toBeGreaterThan(500);
    const isComponent = (name: string) => (r: Record<string, unknown>) => r.name === name;
    expect(template.composed_of).toEqual([
      refTo(s, 'elasticstack_elasticsearch_component_template', isComponent(names.mappingsComponentTemplate), 'name'),
      refTo(s, 'elasticstack_elasticsearch_component_template', isComponent(names.settingsComponentTemplate), 'name'),
    ]);
    const patterns = template.index_patterns as string[];
    for (const source of [...SERVICES.map((x) => x.name), NGINX_LOG_SOURCE]) {
      expect(patterns.some((p) => matches(p, dataStreamName(source, env))), source).toBe(true);
    }
    const other = env === 'dev' ? 'staging' : 'dev';
    expect(patterns.some((p) => matches(p, dataStreamName('user-service', other)))).toBe(false);
    expect(patterns.some((p) => matches(p, 'logs-generic-default'))).toBe(false);
  });

  it('declares the data view over the same data streams, time field @timestamp', () => {
    const view = only(s, 'elasticstack_kibana_data_view').data_view as Record<string, unknown>;
    const template = only(s, 'elasticstack_elasticsearch_index_template');
    expect(view).toMatchObject({ id: names.dataViewId, time_field_name: '@timestamp', allow_no_index: true });
    expect(String(view.title).split(',')).toEqual(template.index_patterns);
  });

  it('imports the dashboard after the data view, every panel reading it', () => {
    const imported = only(s, 'elasticstack_kibana_import_saved_objects');
    expect(imported.overwrite).toBe(true);
    expect(imported.depends_on).toEqual([refTo(s, 'elasticstack_kibana_data_view', () => true, 'id').replace(/^\$\{(.*)\.id\}$/, '$1')]);
    const objects = savedObjects(s);
    const dashboard = objects.find((o) => o.type === 'dashboard')!;
    const panels = JSON.parse(dashboard.attributes.panelsJSON as string) as { panelRefName: string; panelIndex: string }[];
    expect(dashboard.references.map((r) => r.id).sort()).toEqual(objects.filter((o) => o !== dashboard).map((o) => o.id).sort());
    for (const panel of panels) expect(dashboard.references.map((r) => r.name)).toContain(`${panel.panelIndex}:${panel.panelRefName}`);
    for (const object of objects.filter((o) => o !== dashboard)) {
      expect(object.references.filter((r) => r.type === 'index-pattern').map((r) => r.id), object.id).toEqual([names.dataViewId]);
    }
    expect(objects.map((o) => o.type).sort()).toEqual(['dashboard', 'lens', 'lens', 'lens', 'lens', 'lens', 'lens', 'search']);
    // Versioned, so Kibana does not replay 7.x migrations on the modern format.
    for (const object of objects) {
      expect(object.coreMigrationVersion, object.id).toBe(SAVED_OBJECT_FORMAT.core);
      expect(object.typeMigrationVersion, object.id).toBe(SAVED_OBJECT_FORMAT[object.type]);
    }
  });

  it('shows the log ingest rate per data stream: one series for every stream the stack creates, matching only its backing indices', () => {
    const objects = savedObjects(s);
    const panel = objects.find((o) => o.id === `${names.savedObjectPrefix}-ingest-rate`)!;
    const columns = (panel.attributes.state as any).datasourceStates.formBased.layers.layer1.columns as Record<string, Record<string, any>>;
    expect(columns.rate).toMatchObject({ operationType: 'count', timeScale: 'm' });
    expect(columns.x).toMatchObject({ operationType: 'date_histogram', sourceField: '@timestamp' });
    const series = columns.split!.params.filters as { label: string; input: { query: string; language: string } }[];
    const streams = Object.values(resources(s, 'elasticstack_elasticsearch_data_stream')).map((d) => d.name as string);
    expect(series.map((f) => f.label).sort()).toEqual([...streams].sort());
    // A data stream's backing indices are .ds-<stream>-<date>-<generation>; each filter matches its own stream's only.
    const backingIndexPattern = (query: string) => query.replace(/^_index : /, '').replace(/\\(.)/g, '$1');
    for (const { label, input } of series) {
      expect(input.language).toBe('kuery');
      for (const stream of streams) expect(matches(backingIndexPattern(input.query), `.ds-${stream}-2026.12.03-000001`), `${label} vs ${stream}`).toBe(stream === label);
    }
    expect(dataStreamKql('logs-nginx-dev')).toBe('_index : .ds-logs-nginx-dev-*');
  });

  it('shows log volume and errors per service, latency by route, and the request-id search', () => {
    const objects = savedObjects(s);
    const lens = (suffix: string) => objects.find((o) => o.id === `${names.savedObjectPrefix}-${suffix}`)!;
    const layer = (o: SavedObject) =>
      ((o.attributes.state as any).datasourceStates.formBased.layers.layer1 as { columns: Record<string, Record<string, any>> }).columns;
    expect(layer(lens('log-volume')).split!.sourceField).toBe('service.name');
    expect((lens('errors').attributes.state as any).query.query).toBe('log.level : ("error" or "fatal") and not tags : "_dead_letter"');
    expect((lens('dead-letters').attributes.state as any).query.query).toBe('tags : "_dead_letter"');
    expect(layer(lens('service-latency')).x!.sourceField).toBe('http.route');
    expect(layer(lens('service-latency')).p95).toMatchObject({ operationType: 'percentile', sourceField: 'event.duration' });
    // nginx latency: one bucket per catalog route prefix.
    const routes = layer(lens('nginx-latency')).x!.params.filters as { label: string; input: { query: string } }[];
    expect(routes).toEqual(SERVICES.map((x) => ({ label: x.routePrefix, input: { query: routePrefixKql(x.routePrefix), language: 'kuery' } })));
    const search = objects.find((o) => o.type === 'search')!;
    expect(JSON.parse((search.attributes.kibanaSavedObjectMeta as any).searchSourceJSON).query.query).toBe('http.request.id : *');
    expect(search.attributes.columns).toContain('http.request.id');
  });

  it('alerts on error spikes per service with the configured threshold and window, to the server log and the history index', () => {
    const rule = errorSpikeRule(s);
    const params = JSON.parse(rule.params as string);
    expect(rule).toMatchObject({ rule_type_id: '.index-threshold', consumer: 'alerts', enabled: true });
    expect(rule.notify_when).toBeUndefined();
    expect(params).toMatchObject({
      index: only(s, 'elasticstack_elasticsearch_index_template').index_patterns,
      timeField: '@timestamp',
      aggType: 'count',
      groupBy: 'top',
      termField: 'service.name',
      threshold: [config.alerts.errorThreshold],
      thresholdComparator: '>=',
      timeWindowSize: config.alerts.windowMinutes,
      timeWindowUnit: 'm',
      filterKuery: 'log.level : ("error" or "fatal") and not tags : "_dead_letter"',
    });
    expect(params.termSize).toBeGreaterThanOrEqual(SERVICES.length + 1);
    const connectors = Object.values(resources(s, 'elasticstack_kibana_action_connector'));
    expect(connectors.map((c) => c.connector_type_id).sort()).toEqual(['.index', '.server-log']);
    const serverLog = refTo(s, 'elasticstack_kibana_action_connector', (c) => c.connector_type_id === '.server-log', 'connector_id');
    expect(rule.actions).toContainEqual(expect.objectContaining({ group: 'threshold met', id: serverLog }));
    expect(rule.actions).toContainEqual(expect.objectContaining({ group: 'recovered', id: serverLog }));
  });

  it('publishes where the dashboard and the alert appear', () => {
    expect(s.tf.output.dashboard_url!.value).toBe(`https://127.0.0.1:${config.ports.kibana}/app/dashboards#/view/${names.savedObjectPrefix}-dashboard`);
    expect(s.tf.output.alert_rules_url!.value).toContain('/app/management/insightsAndAlerting/triggersActions/rules');
  });
});

describe('elastic stack options', () => {
  it('adds a generic webhook connector when alerts.webhook is generic and the licence allows it', () => {
    const s = synthElasticStack('dev', { settings: { alerts: { licence: 'gold', webhook: 'generic' } } });
    const connectors = Object.values(resources(s, 'elasticstack_kibana_action_connector'));
    expect(connectors.map((c) => c.connector_type_id).sort()).toEqual(['.index', '.server-log', '.webhook']);
    const webhook = connectors.find((c) => c.connector_type_id === '.webhook')!;
    expect(webhook.config).toContain('var.alert_webhook_url');
    expect((errorSpikeRule(s).actions as unknown[]).length).toBe(6);
  });

  it('uses the Slack connector for alerts.webhook slack, the URL kept in the write-only secrets_wo', () => {
    const s = synthElasticStack('dev', { settings: { alerts: { licence: 'platinum', webhook: 'slack' } } });
    const slack = Object.values(resources(s, 'elasticstack_kibana_action_connector')).find((c) => c.connector_type_id === '.slack')!;
    expect(slack.secrets_wo).toBe('${jsonencode({"webhookUrl" = var.alert_webhook_url})}');
    expect(slack.secrets).toBeUndefined();
    expect(slack.config).toBeUndefined();
  });

  it('derives the dashboard and the alert grouping from the catalog (a third service appears)', () => {
    const billing: ServiceDeclaration = { name: 'billing-service', port: 8000, routePrefix: '/billing', database: 'billing', calls: {} };
    const s = synthElasticStack('dev', { services: [...SERVICES, billing] });
    const objects = savedObjects(s);
    const nginx = objects.find((o) => o.id.endsWith('-nginx-latency'))!;
    expect(JSON.stringify(nginx.attributes)).toContain(JSON.stringify(routePrefixKql('/billing')).slice(1, -1));
    expect(JSON.parse(errorSpikeRule(s).params as string).termSize).toBeGreaterThanOrEqual(SERVICES.length + 2);
    const patterns = only(s, 'elasticstack_elasticsearch_index_template').index_patterns as string[];
    expect(patterns.some((p) => matches(p, dataStreamName('billing-service', 'dev')))).toBe(true);
  });

  it('refuses a literal password, naming the setting', () => {
    const config = loadEnvironmentConfig('dev');
    const connection = { elasticsearchEndpoint: 'https://127.0.0.1:9200', kibanaEndpoint: 'https://127.0.0.1:5601', username: 'u', password: 'hunter2' };
    expect(() => new ElasticStack(Testing.app(), 'dev-elastic', { config, services: SERVICES, connection })).toThrow(/connection\.password is a literal/);
  });

  it('refuses an empty service list', () => {
    expect(() => synthElasticStack('dev', { services: [] })).toThrow(/services must declare at least one service/);
  });

  it('takes an explicit Kibana CA file', () => {
    const s = synthElasticStack('dev', { props: { kibanaCaCertificateFile: '/etc/platform/ca.pem' } });
    expect((s.tf.provider.elasticstack![0]!.kibana as Record<string, unknown>[])[0]!.ca_certs).toEqual(['/etc/platform/ca.pem']);
  });

  it('connects to the real platform stack through its outputs', async () => {
    const s = await synthWithPlatformStack('dev');
    const [es] = s.tf.provider.elasticstack![0]!.elasticsearch as Record<string, unknown>[];
    expect(es!.password).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-dev-platform\.outputs\.[^}]+\}$/);
    expect(es!.ca_data).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-dev-platform\.outputs\.[^}]+\}$/);
    expect(es!.username).toBe('platform_provisioner');
    expect(s.tf.data?.terraform_remote_state).toHaveProperty('cross-stack-reference-input-dev-platform');
  });
});
