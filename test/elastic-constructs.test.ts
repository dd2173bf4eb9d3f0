import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../services/shared/src/catalog.js';
import {
  ErrorSpikeAlert,
  LogIndexTemplates,
  LogLifecyclePolicy,
  dashboardSavedObjects,
  elasticObjectNames,
  routePrefixKql,
  toNdjson,
} from '../constructs/elastic/index.js';

const stack = () => new TerraformStack(Testing.app(), 'test');

describe('LogLifecyclePolicy', () => {
  const valid = { name: 'p', rolloverMaxAge: '1d', rolloverMaxPrimaryShardSize: '10gb', retentionDays: 30 };

  it.each([
    [{ rolloverMaxAge: '1 day' }, /rolloverMaxAge "1 day".*rollover\.maxAge/],
    [{ rolloverMaxPrimaryShardSize: '10GB' }, /rolloverMaxPrimaryShardSize "10GB".*rollover\.maxPrimaryShardSize/],
    [{ retentionDays: 0 }, /retentionDays 0.*logRetentionDays/],
    [{ retentionDays: 1.5 }, /retentionDays 1\.5/],
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

  it('refuses a priority that would lose to the built-in logs-*-* template', () => {
    expect(() => new LogIndexTemplates(stack(), 't', { ...props, priority: 100 })).toThrow(/priority 100 must be a whole number above 100/);
    expect(new LogIndexTemplates(stack(), 't', { ...props, priority: 101 }).priority).toBe(101);
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
    [{ errorThreshold: 0 }, /errorThreshold 0.*alerts\.errorThreshold/],
    [{ windowMinutes: 1441 }, /windowMinutes 1441.*alerts\.windowMinutes/],
    [{ indexPatterns: [] }, /indexPatterns must name at least one/],
    [{ licence: 'gold' as const, webhook: { kind: 'generic' as const, url: 'https://hooks.example.com/x' } }, /webhook URL is a literal/],
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
  const options = { environment: 'dev', services: SERVICES, dataViewId: 'dv', idPrefix: 'platform-dev' };

  it('are one JSON object per line, dashboard last', () => {
    const ndjson = toNdjson(dashboardSavedObjects(options));
    const lines = ndjson.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
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
