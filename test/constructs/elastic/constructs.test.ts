import { readFileSync } from 'node:fs';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '@platform/contract';
import {
  ErrorSpikeAlert,
  LOG_FAILURE_STORE_ENABLED,
  LogDataView,
  LogIndexTemplates,
  LogLifecyclePolicy,
  dashboardSavedObjects,
  elasticObjectNames,
  routePrefixKql,
  toNdjson,
} from '../../../constructs/elastic/index.js';

const stack = () => new TerraformStack(Testing.app(), 'test');

describe('LogLifecyclePolicy', () => {
  const valid = { name: 'p', rolloverMaxAge: '1d', rolloverMaxPrimaryShardSize: '10gb', retentionDays: 30 };

  it.each([
    [{ rolloverMaxAge: '1 day' }, /\/ilm: rolloverMaxAge must be a duration .*\(got "1 day"\)/],
    [{ rolloverMaxPrimaryShardSize: '10GB' }, /\/ilm: rolloverMaxPrimaryShardSize must be a size .*\(got "10GB"\)/],
    [{ retentionDays: 0 }, /\/ilm: retentionDays must be a whole number of days, at least 1 \(got 0\)/],
    [{ retentionDays: 1.5 }, /retentionDays .*\(got 1\.5\)/],
  ])('refuses %o, naming the setting', (override, message) => {
    expect(() => new LogLifecyclePolicy(stack(), 'ilm', { ...valid, ...override })).toThrow(message);
  });
});

describe('LogIndexTemplates', () => {
  const props = {
    environment: 'dev',
    mappingsTemplateName: 'm',
    settingsTemplateName: 's',
    indexTemplateName: 'i',
    lifecyclePolicyName: 'p',
    dataNodes: 1,
  };

  it('refuses a priority of 500 or less, which Elastic asks templates overlapping logs-*-* to exceed', () => {
    expect(() => new LogIndexTemplates(stack(), 't', { ...props, priority: 100 })).toThrow(/\/t: priority must be a whole number of at least 501 \(got 100\)/);
    expect(() => new LogIndexTemplates(stack(), 't', { ...props, priority: 500 })).toThrow(/\(got 500\)/);
    expect(new LogIndexTemplates(stack(), 't', { ...props, priority: 501 }).priority).toBe(501);
    expect(new LogIndexTemplates(stack(), 't', props).priority).toBeGreaterThan(500);
  });
});

describe('ErrorSpikeAlert', () => {
  const props = {
    environment: 'dev',
    ruleName: 'r',
    indexPatterns: ['logs-*-dev'],
    errorThreshold: 5,
    windowMinutes: 5,
    sourceCount: 3,
    historyIndexName: 'platform-alerts-dev',
    dataNodes: 1,
  };

  it.each([
    [{ errorThreshold: 0 }, /\/alert: errorThreshold must be a whole number, at least 1 \(got 0\)/],
    [{ windowMinutes: 0 }, /\/alert: windowMinutes must be a whole number of minutes, at least 1 \(got 0\)/],
    [{ indexPatterns: [] }, /indexPatterns must name at least one/],
    [{ licence: 'gold' as const, webhook: { kind: 'generic' as const, url: 'https://hooks.example.com/x' } }, /\/alert: webhook\.url is a literal/],
  ])('refuses %o, naming the setting', (override, message) => {
    expect(() => new ErrorSpikeAlert(stack(), 'alert', { ...props, ...override })).toThrow(message);
  });

  it('has the server log and history index connectors without a webhook, and the webhook with one', () => {
    expect(new ErrorSpikeAlert(stack(), 'a', props).connectors.map((c) => c.connectorTypeId)).toEqual(['.server-log', '.index']);
    const s = stack();
    const url = new TerraformVariable(s, 'alert_webhook_url', { type: 'string', sensitive: true }).stringValue;
    const withHook = new ErrorSpikeAlert(s, 'a', { ...props, licence: 'trial', webhook: { kind: 'generic', url } });
    expect(withHook.connectors.map((c) => c.connectorTypeId)).toEqual(['.server-log', '.index', '.webhook']);
  });
});

describe('dashboard saved objects', () => {
  const options = { environment: 'dev', services: SERVICES, dataViewId: 'dv', idPrefix: 'platform-dev', dataStreamSources: ['user-service', 'deadletter'] };

  it('are one JSON object per line, dashboard last', () => {
    const ndjson = toNdjson(dashboardSavedObjects(options));
    const lines = ndjson.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    expect(JSON.parse(lines.at(-1)!).type).toBe('dashboard');
    expect(ndjson.endsWith('\n')).toBe(true);
  });

  it('lay panels out on the 48-column grid without overlap', () => {
    const dashboard = dashboardSavedObjects(options).at(-1)!;
    const panels = JSON.parse(dashboard.attributes.panelsJSON as string) as { gridData: { x: number; y: number; w: number; h: number } }[];
    for (const [i, a] of panels.entries()) {
      expect(a.gridData.x + a.gridData.w).toBeLessThanOrEqual(48);
      for (const b of panels.slice(i + 1)) {
        const apart =
          a.gridData.x + a.gridData.w <= b.gridData.x ||
          b.gridData.x + b.gridData.w <= a.gridData.x ||
          a.gridData.y + a.gridData.h <= b.gridData.y ||
          b.gridData.y + b.gridData.h <= a.gridData.y;
        expect(apart).toBe(true);
      }
    }
  });

  it('refuse an empty catalog', () => {
    expect(() => dashboardSavedObjects({ ...options, services: [] })).toThrow(/at least one service/);
  });

  it('match a route prefix literally in KQL', () => {
    expect(routePrefixKql('/users')).toBe('url.path : /users or url.path : /users/*');
    expect(routePrefixKql('/a b(c)')).toBe('url.path : /a\\ b\\(c\\) or url.path : /a\\ b\\(c\\)/*');
  });
});

describe('elasticObjectNames', () => {
  it('prefixes every name with the environment and refuses a bad one', () => {
    const names = elasticObjectNames('staging');
    for (const value of Object.values(names)) expect(value).toMatch(/staging/);
    expect(() => elasticObjectNames('Prod!')).toThrow(/environment "Prod!"/);
  });
});

describe('hand-written bindings', () => {
  it('refuse HCL synthesis loudly instead of writing empty blocks', () => {
    const s = stack();
    new LogLifecyclePolicy(s, 'ilm', { name: 'p', rolloverMaxAge: '1d', rolloverMaxPrimaryShardSize: '10gb', retentionDays: 30 });
    expect(() => Testing.synthHcl(s)).toThrow(/synthesize Terraform JSON only/);
    expect(() => Testing.synth(s)).not.toThrow();
  });
});

/** The synthesized resources of one type in a test stack. */
const synthesized = (s: TerraformStack, type: string): Record<string, any>[] =>
  Object.values((JSON.parse(Testing.synth(s)) as { resource: Record<string, Record<string, any>> }).resource[type] ?? {});

describe('LogIndexTemplates: the refused-document path', () => {
  const props = { environment: 'dev', mappingsTemplateName: 'm', settingsTemplateName: 's', indexTemplateName: 'i', lifecyclePolicyName: 'p', dataNodes: 1 };

  it('turns the failure store off in the index template, so refusals reach the Logstash dead-letter queue', () => {
    const s = stack();
    new LogIndexTemplates(s, 't', props);
    const [template] = synthesized(s, 'elasticstack_elasticsearch_index_template');
    expect(LOG_FAILURE_STORE_ENABLED).toBe(false);
    expect(template!.template).toEqual({ data_stream_options: { failure_store: { enabled: false } } });
    // Nor does any component template turn it back on.
    for (const component of synthesized(s, 'elasticstack_elasticsearch_component_template')) {
      expect(component.template.data_stream_options, component.name).toBeUndefined();
    }
  });

  it('matches the pipeline side: Logstash keeps a dead-letter queue for what Elasticsearch refuses', () => {
    // With the failure store off, a refusal is a bulk error, which Logstash writes to its DLQ.
    const logstashYml = readFileSync(new URL('../../../pipelines/logstash/logstash.yml', import.meta.url), 'utf8');
    expect(logstashYml).toMatch(/^dead_letter_queue\.enable: true$/m);
    expect(LOG_FAILURE_STORE_ENABLED).toBe(false);
  });

  it('refuses a template name with "@", which Elastic reserves for built-in templates', () => {
    expect(() => new LogIndexTemplates(stack(), 't', { ...props, mappingsTemplateName: 'x@mappings' })).toThrow(/mappingsTemplateName "x@mappings" contains "@"/);
  });
});

describe('elasticObjectNames: template names', () => {
  it('have no "@" and are distinct within an environment and across environments', () => {
    const all = ['dev', 'staging', 'prod', 'devmappings'].flatMap((env) => {
      const n = elasticObjectNames(env);
      return [n.mappingsComponentTemplate, n.settingsComponentTemplate, n.indexTemplate];
    });
    for (const name of all) expect(name).not.toContain('@');
    // Distinct even across environments that share one cluster.
    expect(new Set(all).size).toBe(all.length);
    expect(elasticObjectNames('dev').mappingsComponentTemplate).toBe('logs-platform-dev-mappings');
  });
});

describe('LogDataView: Kibana field popularity', () => {
  it('declares no field_attrs and no ignore_changes (provider 0.15.2+ ignores popularity counts on read)', () => {
    const s = stack();
    new LogDataView(s, 'v', { id: 'v', name: 'V', indexPatterns: ['logs-*-dev'] });
    const [view] = synthesized(s, 'elasticstack_kibana_data_view');
    // A declared field_attrs would be compared with what Kibana writes; keep the view's field metadata Kibana's.
    expect(view!.data_view).not.toHaveProperty('field_attrs');
    expect(view).not.toHaveProperty('lifecycle');
  });
});
