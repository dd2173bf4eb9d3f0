import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICES } from '@platform/contract';
import {
  APM_RETENTION_TEMPLATES_LABEL,
  APM_SERVER_URL,
  ApmServer,
  apmSecretToken,
  renderApmServerYaml,
  type ApmServerProps,
} from '../../constructs/apm-server.js';
import { APM_CUSTOM_TEMPLATES, ApmRetention } from '../../constructs/elastic/apm-retention.js';
import { FastifyService, SERVICE_CA_FILE, SERVICE_OTEL_VARIABLES } from '../../constructs/fastify-service.js';
import { ElasticFileRealm, PLATFORM_USERS, PlatformPki } from '../../constructs/security/index.js';
import { loadEnvironmentConfig } from '../../stacks/config/index.js';
import { createStacks } from '../../stacks/app.js';
import { containerPolicyViolations } from '../../stacks/policy-aspect.js';
import { containerNamed, containers, synthDeployment, type Container, type SynthesizedPlatform } from '../support/platform-harness.js';
import { rejection } from '../support/settings-rejection.js';

const ENVIRONMENTS = ['dev', 'staging'] as const;

/** A stack's resources as the harness reads them. */
const asPlatform = (tf: SynthesizedPlatform['tf']) => ({ tf }) as SynthesizedPlatform;
/** Terraform's `$${` escape undone: the text the container receives. */
const unescape = (text: string) => text.replace(/\$\$\{/g, '${');
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => e.split(/=(.*)/s) as [string, string]));
const uploadOf = (c: Container, file: string) => {
  const found = c.upload?.find((u) => u.file === file);
  if (!found) throw new Error(`${c.name} has no upload ${file}; has ${c.upload?.map((u) => u.file).join(', ')}`);
  return found as { file: string; content: string; permissions?: string };
};

describe.each(ENVIRONMENTS)('%s tracing', (env) => {
  const config = loadEnvironmentConfig(env);
  const deployment = synthDeployment(env);
  const ingest = asPlatform(deployment.ingest);
  const platform = asPlatform(deployment.platform);
  const apm = containerNamed(ingest, `elk-${env}-apm-server`).container;
  const apmEnv = envOf(apm);
  const yml = parse(unescape(uploadOf(apm, '/usr/share/apm-server/apm-server.yml').content)) as Record<string, Record<string, unknown>>;
  const serviceContainers = Object.values(containers(platform)).filter((c) => SERVICES.some((s) => c.name.startsWith(`elk-${env}-${s.name}-`)));

  it('runs APM Server of the pinned Elastic version in the ingest stack, after the elastic stack', () => {
    const images = Object.values(deployment.ingest.resource.docker_image!) as { name: string }[];
    expect(images.map((i) => i.name)).toContain(`docker.elastic.co/apm/apm-server:${config.elasticVersion}`);
    expect(Object.values(containers(platform)).map((c) => c.name)).not.toContain(`elk-${env}-apm-server`);
    expect(deployment.stacks.ingest.dependencies).toEqual(expect.arrayContaining([deployment.stacks.platform, deployment.stacks.elastic]));
  });

  it('answers only on the private network, as apm-server:8200, with a memory limit and a port healthcheck', () => {
    expect(apm.ports ?? []).toEqual([]);
    expect(apm.networks_advanced![0]!.aliases).toEqual(['apm-server']);
    expect(APM_SERVER_URL).toBe('https://apm-server:8200');
    expect(apm.memory).toBe(config.tracing.apmServerMemoryMb);
    expect(apm.healthcheck!.test).toEqual(['CMD', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/8200']);
    expect(apm.user).toBe('1000:0');
    expect(apm.wait).toBe(true);
  });

  it('meets every container policy of the Aspect', () => {
    const construct = deployment.stacks.ingest.apmServer!.container;
    expect(containerPolicyViolations(construct, config.bindAddress)).toEqual([]);
  });

  it('serves TLS with its own certificate from the platform CA and requires the secret token', () => {
    const server = yml['apm-server']!;
    expect(server.host).toBe('0.0.0.0:8200');
    expect(server['ssl.enabled']).toBe(true);
    expect(server['ssl.certificate']).toBe('/usr/share/apm-server/certs/apm-server.crt');
    expect(server['ssl.key']).toBe('/usr/share/apm-server/certs/apm-server.key');
    expect(server['auth.secret_token']).toBe('${APM_SECRET_TOKEN}');
    expect(uploadOf(apm, '/usr/share/apm-server/certs/apm-server.key').permissions).toBe('0640');
    expect(uploadOf(apm, '/usr/share/apm-server/certs/apm-server.key').content).toMatch(/^\$\{tls_private_key\.[\w-]+\.private_key_pem_pkcs8\}$/);
    expect(uploadOf(apm, '/usr/share/apm-server/certs/apm-server.crt').content).toMatch(/^\$\{tls_locally_signed_cert\.[\w-]+\.cert_pem\}$/);
    // The certificate resources live beside the CA key, in the platform stack (as Logstash's do).
    const requests = Object.values(deployment.stacks.platform.node.findAll()).filter((c) => c.node.id === 'apm-server-certificate-csr');
    expect(requests).toHaveLength(1);
  });

  it('writes to every Elasticsearch node over TLS verified against the CA, as its own user', () => {
    const output = yml['output.elasticsearch']!;
    expect(output.hosts).toEqual(deployment.stacks.platform.elasticsearch.internalUrls);
    expect(output.hosts).toHaveLength(config.elasticsearch.nodes);
    expect(output['ssl.verification_mode']).toBe('full');
    expect(output['ssl.certificate_authorities']).toEqual(['/usr/share/apm-server/certs/ca.crt']);
    expect(output.username).toBe('${APM_ELASTICSEARCH_USERNAME}');
    expect(output.password).toBe('${APM_ELASTICSEARCH_PASSWORD}');
    expect(apmEnv.APM_ELASTICSEARCH_USERNAME).toBe(PLATFORM_USERS.apmWriter.username);
    expect(apmEnv.APM_ELASTICSEARCH_PASSWORD).toMatch(/^\$\{random_password\.file-realm_platform-apm-server-password_\w+\.result\}$/);
    // No secret in the uploaded file itself.
    expect(JSON.stringify(yml)).not.toMatch(/random_password/);
  });

  it('gives the APM writer user only what publishing events needs', () => {
    const roles = deployment.stacks.platform.node.findAll().find((c): c is ElasticFileRealm => c instanceof ElasticFileRealm)!.roles;
    expect(roles.platform_apm_writer).toMatchObject({
      cluster: ['monitor'],
      indices: [{ names: ['traces-apm*', 'metrics-apm*', 'logs-apm*'], privileges: ['create_doc', 'auto_configure'] }],
      applications: [],
    });
    expect(PLATFORM_USERS.apmWriter.roles).toEqual(['platform_apm_writer']);
    // ILM runs the retention's rollover and delete as the provisioner, who saved the policy.
    expect(roles.platform_provisioner.indices).toContainEqual({ names: ['traces-apm-*', 'logs-apm.error-*'], privileges: ['manage'] });
  });

  it('starts only after the retention templates exist (its label references each)', () => {
    const label = (apm.labels as { label: string; value: string }[]).find((l) => l.label === APM_RETENTION_TEMPLATES_LABEL)?.value ?? '';
    const ids = Object.entries(deployment.elastic.resource.elasticstack_elasticsearch_component_template!)
      .filter(([, t]) => APM_CUSTOM_TEMPLATES.includes(t.name as (typeof APM_CUSTOM_TEMPLATES)[number]))
      .map(([id]) => id);
    expect(ids).toHaveLength(APM_CUSTOM_TEMPLATES.length);
    for (const id of ids) expect(label).toContain(`elasticstack_elasticsearch_component_template.${id}.name`);
  });

  it('keeps traces and span errors as long as logs: the @custom templates attach the log ILM policy, preferred over the built-in lifecycle', () => {
    const templates = Object.values(deployment.elastic.resource.elasticstack_elasticsearch_component_template!).filter((t) => String(t.name).endsWith('@custom'));
    expect(templates.map((t) => t.name).sort()).toEqual(['logs-apm.error@custom', 'traces-apm@custom']);
    const [policyId] = Object.keys(deployment.elastic.resource.elasticstack_elasticsearch_index_lifecycle!);
    const policy = deployment.elastic.resource.elasticstack_elasticsearch_index_lifecycle![policyId!] as { delete: { min_age: string } };
    expect(policy.delete.min_age).toBe(`${config.logRetentionDays}d`);
    for (const template of templates) {
      const settings = JSON.parse((template.template as { settings: string }).settings);
      expect(settings.index.lifecycle).toEqual({ name: `\${elasticstack_elasticsearch_index_lifecycle.${policyId}.name}`, prefer_ilm: true });
      expect(settings.index.number_of_replicas).toBe(config.elasticsearch.nodes > 1 ? 1 : 0);
      expect(template.template).not.toHaveProperty('mappings');
    }
  });

  it('points every service replica at APM Server with the standard OTEL_* variables and the sampling setting', () => {
    expect(serviceContainers.length).toBeGreaterThanOrEqual(SERVICES.length);
    for (const c of serviceContainers) {
      const e = envOf(c);
      const alias = c.name.replace(`elk-${env}-`, '');
      const service = SERVICES.find((s) => alias.startsWith(`${s.name}-`))!;
      expect(Object.keys(e).filter((k) => k.startsWith('OTEL_')).sort()).toEqual([...SERVICE_OTEL_VARIABLES].sort());
      expect(e).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://apm-server:8200',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_CERTIFICATE: SERVICE_CA_FILE,
        OTEL_SERVICE_NAME: service.name,
        OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${env},service.instance.id=${alias}`,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: String(config.tracing.sampleRatio),
      });
      // The CA the exporter verifies APM Server against is the file the service already gets.
      expect(c.upload?.map((u) => u.file)).toContain(SERVICE_CA_FILE);
    }
  });

  it('sends the token APM Server requires, as a reference to the one generated secret, never a value', () => {
    const token = apmEnv.APM_SECRET_TOKEN!;
    expect(token).toMatch(/^\$\{random_password\.apm-secret-token\.result\}$/);
    for (const c of serviceContainers) expect(envOf(c).OTEL_EXPORTER_OTLP_HEADERS).toBe(`Authorization=Bearer%20${token}`);
    const password = deployment.platform.resource.random_password!['apm-secret-token'] as { length: number; special: boolean };
    expect(password).toMatchObject({ length: 48, special: false });
    // Not in any output of the platform stack in clear, and no output names it at all.
    expect(JSON.stringify(deployment.platform.output ?? {})).not.toMatch(/apm-secret-token/);
  });

  it('lets the services start without APM Server: no service depends on it', () => {
    for (const c of serviceContainers) expect((c.depends_on ?? []).join(' ')).not.toMatch(/apm/);
  });
});

describe('the token on its way to the ingest stack', () => {
  it('leaves the platform stack only in outputs marked sensitive (cdktf\'s cross-stack outputs)', () => {
    const app = Testing.app();
    createStacks(app, loadEnvironmentConfig('dev'));
    app.synth();
    const tf = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'dev-platform', 'cdk.tf.json'), 'utf8')) as { output: Record<string, { value: string; sensitive?: boolean }> };
    const carrying = Object.entries(tf.output).filter(([, o]) => o.value.includes('random_password.apm-secret-token'));
    expect(carrying.length).toBeGreaterThan(0);
    for (const [name, output] of carrying) expect(output.sensitive, name).toBe(true);
  });
});

describe('tracing.enabled false', () => {
  const deployment = synthDeployment('dev', { tracing: { enabled: false } });
  const platform = asPlatform(deployment.platform);

  it('runs no APM Server, generates no token and creates no retention templates', () => {
    expect(Object.values(containers(asPlatform(deployment.ingest))).map((c) => c.name)).not.toContain('elk-dev-apm-server');
    expect(deployment.stacks.ingest.apmServer).toBeUndefined();
    expect(deployment.platform.resource.random_password!['apm-secret-token']).toBeUndefined();
    const names = Object.values(deployment.elastic.resource.elasticstack_elasticsearch_component_template!).map((t) => t.name);
    for (const name of APM_CUSTOM_TEMPLATES) expect(names).not.toContain(name);
  });

  it('gives the services no OTEL_* variable, so they run with tracing off', () => {
    for (const c of Object.values(containers(platform))) {
      expect((c.env ?? []).filter((e) => e.startsWith('OTEL_')), c.name).toEqual([]);
    }
  });
});

describe('a sample ratio of 1', () => {
  it('reaches every service as OTEL_TRACES_SAMPLER_ARG=1', () => {
    const platform = asPlatform(synthDeployment('dev', { tracing: { sampleRatio: 1 } }).platform);
    const services = Object.values(containers(platform)).filter((c) => (c.env ?? []).some((e) => e.startsWith('OTEL_SERVICE_NAME=')));
    expect(services.length).toBeGreaterThan(0);
    for (const c of services) expect(c.env).toContain('OTEL_TRACES_SAMPLER_ARG=1');
  });
});


describe('bad tracing settings', () => {
  it('refuses a sample ratio outside 0..1, naming the setting', () => {
    expect(rejection({ tracing: { sampleRatio: 1.5 } })).toMatch(/tracing\.sampleRatio.*must be a number from 0 to 1/);
    expect(rejection({ tracing: { sampleRatio: -0.1 } })).toMatch(/tracing\.sampleRatio/);
  });

  it('refuses a non-boolean enabled and an APM Server memory outside its range, naming each', () => {
    expect(rejection({ tracing: { enabled: 'yes' as unknown as boolean } })).toMatch(/tracing\.enabled.*must be true or false/);
    expect(rejection({ tracing: { apmServerMemoryMb: 100 } })).toMatch(/tracing\.apmServerMemoryMb.*whole number of MiB from 256 to 8192/);
  });

  it('refuses an unknown tracing setting', () => {
    expect(rejection({ tracing: { sampleRate: 0.5 } as never })).toMatch(/tracing/);
  });
});

/** A stack with the CA, the realm and a token, for the constructs' own checks. */
function constructScope() {
  const stack = new TerraformStack(Testing.app(), 'apm-test');
  new DockerProvider(stack, 'docker', {});
  const context = { namePrefix: 'elk-dev', networkName: 'elk-dev-net' };
  const pki = new PlatformPki(stack, 'pki', { context });
  const realm = new ElasticFileRealm(stack, 'realm', {});
  const token = apmSecretToken(stack, 'token');
  const props: ApmServerProps = {
    context,
    elasticsearchUrls: ['https://elasticsearch-1:9200'],
    certificateAuthority: pki,
    writerUser: realm.apmWriter,
    secretToken: token,
    retentionTemplates: ['traces-apm@custom'],
  };
  return { stack, props, token };
}

describe('ApmServer construct', () => {
  it('refuses a memory limit outside its range, naming the prop', () => {
    const { stack, props } = constructScope();
    expect(() => new ApmServer(stack, 'apm', { ...props, memoryMb: 128 })).toThrow(/apm-test\/apm: memoryMb must be a whole number of MiB from 256 to 8192 \(got 128\)/);
  });

  it('refuses a typed-in secret token, no Elasticsearch URL and no retention templates', () => {
    const { stack, props } = constructScope();
    expect(() => new ApmServer(stack, 'a', { ...props, secretToken: 'hunter2hunter2' })).toThrow(/secretToken is a literal/);
    expect(() => new ApmServer(stack, 'b', { ...props, elasticsearchUrls: [] })).toThrow(/elasticsearchUrls is empty/);
    expect(() => new ApmServer(stack, 'c', { ...props, retentionTemplates: [] })).toThrow(/retentionTemplates is empty/);
  });

  it('renders an apm-server.yml without secrets, every credential a ${VAR} of its environment', () => {
    const text = renderApmServerYaml({ elasticsearchHosts: ['https://elasticsearch-1:9200'] });
    expect(text).toContain('${APM_SECRET_TOKEN}');
    expect(text).not.toMatch(/password: (?!\$\{)/);
  });
});

describe('FastifyService tracing prop', () => {
  const service = SERVICES[0]!;
  const build = (tracing: { endpoint: string; secretToken?: string; sampleRatio: number }, withCa = true) => {
    const { stack, token } = constructScope();
    return () =>
      new FastifyService(stack, 'svc', {
        context: { namePrefix: 'elk-dev', networkName: 'elk-dev-net' },
        service,
        databaseUrl: 'postgres://x',
        redisUrl: 'rediss://x',
        redisKeyPrefix: 'x:',
        logVolumeName: 'logs',
        environment: 'dev',
        peers: {},
        ...(withCa ? { caCertificatePem: 'CA' } : {}),
        tracing: { endpoint: tracing.endpoint, secretToken: tracing.secretToken ?? token, sampleRatio: tracing.sampleRatio },
      });
  };

  it('refuses a sample ratio outside 0..1, naming tracing.sampleRatio', () => {
    expect(build({ endpoint: APM_SERVER_URL, sampleRatio: 2 })).toThrow(/apm-test\/svc: tracing\.sampleRatio must be a number from 0 to 1 \(got 2\)/);
  });

  it('refuses a plain-http endpoint, a literal token and a service without the CA to verify the receiver', () => {
    expect(build({ endpoint: 'http://apm-server:8200', sampleRatio: 0.1 })).toThrow(/tracing\.endpoint must be an https:\/\/ base URL/);
    expect(build({ endpoint: APM_SERVER_URL, sampleRatio: 0.1, secretToken: 'plain' })).toThrow(/tracing\.secretToken is a literal/);
    expect(build({ endpoint: APM_SERVER_URL, sampleRatio: 0.1 }, false)).toThrow(/tracing needs caCertificatePem/);
  });
});

describe('ApmRetention construct', () => {
  it('refuses an empty policy name', () => {
    const stack = new TerraformStack(Testing.app(), 'retention-test');
    expect(() => new ApmRetention(stack, 'r', { lifecyclePolicyName: ' ', dataNodes: 1, environment: 'dev' })).toThrow(/retention-test\/r: lifecyclePolicyName must not be empty/);
  });
});
