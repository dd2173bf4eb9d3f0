import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dataStreamName, SERVICES, serviceLogDir, type ServiceDeclaration } from '@platform/contract';
import { createStacks } from '../../stacks/app.js';
import { ENVIRONMENTS, resolveEnvironmentConfig, type EnvironmentConfig } from '../../stacks/config/index.js';

/**
 * What README's "Add a third service" promises: one declaration in the service
 * list gives the service its container(s), database, nginx route, Filebeat
 * input, and its data stream in the Elastic stack.
 */
const billing = {
  name: 'billing-service',
  port: 8000,
  routePrefix: '/invoices',
  database: 'billing',
  calls: { USER_SERVICE_URL: 'user-service' },
} as const satisfies ServiceDeclaration;

const withBilling: readonly ServiceDeclaration[] = [...SERVICES, billing];

interface Container {
  name: string;
  image: string;
  env?: string[];
  upload?: { file: string; content: string }[];
  depends_on?: string[];
}

interface Synthesized {
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

function synthesize(config: EnvironmentConfig, services: readonly ServiceDeclaration[]) {
  const stacks = createStacks(Testing.app(), config, services) as unknown as Record<string, Parameters<typeof Testing.synth>[0]>;
  const platform = JSON.parse(Testing.synth(stacks.platform!)) as Synthesized;
  const elastic = stacks.elastic ? (JSON.parse(Testing.synth(stacks.elastic)) as Synthesized) : undefined;
  const ingest = JSON.parse(Testing.synth(stacks.ingest!)) as Synthesized;
  return { stacks, platform, elastic, ingest };
}

function containers(stack: Synthesized): Container[] {
  return Object.values(stack.resource.docker_container ?? {}) as unknown as Container[];
}

function container(stack: Synthesized, name: string): Container {
  const found = containers(stack).find((c) => c.name === name);
  expect(found, `container ${name}`).toBeDefined();
  return found!;
}

function uploaded(c: Container, file: string): string {
  const upload = c.upload?.find((u) => u.file === file || u.file.endsWith(file));
  expect(upload, `${c.name} uploads ${file}`).toBeDefined();
  return upload!.content;
}

const dev = resolveEnvironmentConfig('dev', ENVIRONMENTS.dev, withBilling);

describe('adding a third service to the declaration', () => {
  const baseline = synthesize(resolveEnvironmentConfig('dev', ENVIRONMENTS.dev), SERVICES);
  const { platform, elastic, ingest, stacks } = synthesize(dev, withBilling);

  it('was absent before the declaration', () => {
    expect(JSON.stringify(baseline.platform)).not.toContain('billing-service');
  });

  it('gets a container built from services/Dockerfile with SERVICE=billing-service, configured by the service contract', () => {
    const replica = container(platform, 'elk-dev-billing-service-1');
    const images = Object.values(platform.resource.docker_image ?? {}) as { name: string; build?: { dockerfile?: string; build_args?: Record<string, string> } }[];
    expect(images.find((i) => i.build?.dockerfile === '../../../services/Dockerfile' && i.build.build_args?.SERVICE === 'billing-service')).toBeDefined();
    const env = replica.env ?? [];
    expect(env).toContain('USER_SERVICE_URL=http://user-service:8000');
    expect(env).toContain('SERVICE_ENVIRONMENT=dev');
    expect(env.find((e) => e.startsWith('LOG_FILE='))).toBe(`LOG_FILE=${serviceLogDir('billing-service')}/billing-service-1.log`);
    expect(env.find((e) => e.startsWith('DATABASE_URL='))).toMatch(/\/billing(\?|$)/);
  });

  it('gets its own database', () => {
    const init = uploaded(container(platform, 'elk-dev-postgres'), '.sh');
    expect(init).toMatch(/\bbilling\b/);
  });

  it('gets an nginx route to every replica', () => {
    const conf = uploaded(container(platform, 'elk-dev-nginx'), '/etc/nginx/nginx.conf');
    expect(conf).toContain(`location ${billing.routePrefix}`);
    expect(conf).toMatch(/billing-service-1:8000/);
  });

  it('gets a Filebeat input for its log directory, tagged with its name for its data stream', () => {
    const filebeat = parse(uploaded(container(ingest, 'elk-dev-filebeat'), 'filebeat.yml')) as {
      'filebeat.inputs': { paths: string[]; fields?: Record<string, string> }[];
    };
    const inputs = filebeat['filebeat.inputs'].filter((input) => input.paths.some((p) => p.startsWith(`${serviceLogDir('billing-service')}/`)));
    expect(inputs).toHaveLength(1);
    expect(Object.values(inputs[0]!.fields ?? {})).toContain('billing-service');
  });

  it('scales with replicas.<service>, nginx listing every replica', () => {
    const staging = resolveEnvironmentConfig('staging', { ...ENVIRONMENTS.staging, replicas: { ...ENVIRONMENTS.staging.replicas, 'billing-service': 2 } }, withBilling);
    const scaled = synthesize(staging, withBilling).platform;
    container(scaled, 'elk-staging-billing-service-2');
    const conf = uploaded(container(scaled, 'elk-staging-nginx'), '/etc/nginx/nginx.conf');
    expect(conf).toMatch(/billing-service-1:8000/);
    expect(conf).toMatch(/billing-service-2:8000/);
  });

  it("gets its data stream, template coverage and dashboard panel in the environment's elastic stack", () => {
    expect(elastic, 'createStacks() returns the <env>-elastic stack').toBeDefined();
    const stream = dataStreamName('billing-service', 'dev');
    const templates = Object.values(elastic!.resource.elasticstack_elasticsearch_index_template ?? {}) as { index_patterns?: string[] }[];
    const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
    expect(templates.some((t) => (t.index_patterns ?? []).some((p) => glob(p).test(stream)))).toBe(true);
    const dashboards = (stack: Synthesized | undefined) =>
      Object.values(stack?.resource.elasticstack_kibana_import_saved_objects ?? {}).map((r) => String(r.file_contents));
    expect(dashboards(elastic).some((ndjson) => ndjson.includes('billing-service'))).toBe(true);
    expect(dashboards(baseline.elastic).length).toBeGreaterThan(0);
    expect(dashboards(baseline.elastic).some((ndjson) => ndjson.includes('billing-service'))).toBe(false);
  });

  it('still needs its code: synth validation names the missing service directory', () => {
    expect(() => (stacks.platform as unknown as { runAllValidations(): void }).runAllValidations()).toThrow(/services\/billing-service\/package\.json does not exist/);
  });
});
