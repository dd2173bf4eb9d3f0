import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LOG_ROOT, SERVICES, serviceLogDir } from '@platform/contract';
import { loadEnvironmentConfig, replicasOf } from '../../stacks/config/index.js';
import { containerNamed, containers, maskSourceHashes, synthDeployment, synthPlatform, type SynthesizedPlatform } from '../support/platform-harness.js';
import { SERVICE_CA_FILE } from '../../constructs/fastify-service.js';

const ENVIRONMENTS = ['dev', 'staging'] as const;
const synthesized: Record<string, SynthesizedPlatform> = Object.fromEntries(ENVIRONMENTS.map((env) => [env, synthPlatform(env)]));

/** `${docker_container.<id>}`-style references in depends_on. */
const dependsOn = (platform: SynthesizedPlatform, name: string) => containerNamed(platform, name).container.depends_on ?? [];
const ref = (platform: SynthesizedPlatform, name: string) => `docker_container.${containerNamed(platform, name).id}`;

describe.each(ENVIRONMENTS)('%s platform stack', (env) => {
  const platform = synthesized[env]!;
  const config = loadEnvironmentConfig(env);
  const prefix = `elk-${env}`;
  const all = () => Object.values(containers(platform));
  // What runs: every container but the one-shot preparation steps Terraform runs to completion
  // (attach; no network, no healthcheck, checked by their exit code: see snapshots.test.ts).
  const running = () => all().filter((c) => !(c as { attach?: boolean }).attach);
  // The whole deployment: the platform's containers and the ingest stack's shippers.
  const deployment = synthDeployment(env).all;

  it('matches its snapshot (service source hashes masked)', () => {
    expect(maskSourceHashes(platform.json)).toMatchSnapshot();
  });

  it('declares all nine components: seven here, the log shippers in the ingest stack', () => {
    const names = Object.values(containers(deployment)).map((c) => c.name);
    expect(all().map((c) => c.name).filter((n) => /-(logstash|filebeat)$/.test(n))).toEqual([]);
    const components = ['postgres', 'redis', 'nginx', 'kibana', 'logstash', 'filebeat'];
    for (const component of components) expect(names).toContain(`${prefix}-${component}`);
    for (const service of SERVICES) {
      for (let i = 1; i <= replicasOf(config, service.name); i++) expect(names).toContain(`${prefix}-${service.name}-${i}`);
    }
    const esNodes = names.filter((n) => n.startsWith(`${prefix}-elasticsearch`));
    expect(esNodes).toHaveLength(config.elasticsearch.nodes);
  });

  it('puts every container on the one private network, reachable by alias', () => {
    const networks = Object.values(platform.tf.resource.docker_network!);
    expect(networks).toHaveLength(1);
    expect(networks[0]).toMatchObject({ name: `${prefix}-net`, driver: 'bridge' });
    for (const c of running()) {
      expect(c.networks_advanced, c.name).toHaveLength(1);
      expect(c.networks_advanced![0]!.name, c.name).toMatch(/^\$\{docker_network\.network_[A-Z0-9_]+\.name\}$/);
    }
    const aliases = (name: string) => containerNamed(platform, name).container.networks_advanced![0]!.aliases;
    expect(aliases(`${prefix}-postgres`)).toEqual(['postgres']);
    expect(aliases(`${prefix}-redis`)).toEqual(['redis']);
    expect(aliases(`${prefix}-user-service-1`)).toEqual(['user-service-1', 'user-service']);
    expect(aliases(`${prefix}-kibana`)).toEqual(['kibana']);
  });

  it('runs one-shot containers off the network, with a memory limit and bounded logs, never restarted', () => {
    const oneShots = all().filter((c) => (c as { attach?: boolean }).attach);
    expect(oneShots.map((c) => c.name)).toEqual([`${prefix}-snapshots-owner`]);
    for (const c of oneShots) {
      expect(c, c.name).toMatchObject({ network_mode: 'none', restart: 'no', must_run: false, log_driver: 'json-file' });
      expect(c.networks_advanced, c.name).toBeUndefined();
      expect(c.memory, c.name).toBeGreaterThan(0);
      expect(c.log_opts, c.name).toEqual({ 'max-size': '10m', 'max-file': '3' });
    }
  });

  it('gives every running container a healthcheck, a memory limit and bounded json-file logs', () => {
    for (const c of running()) {
      expect(c.healthcheck?.test.length, c.name).toBeGreaterThan(1);
      expect(c.memory, c.name).toBeGreaterThan(0);
      expect(c.log_driver, c.name).toBe('json-file');
      expect(c.log_opts, c.name).toEqual({ 'max-size': '10m', 'max-file': '3' });
      expect(c.restart, c.name).toBe('unless-stopped');
      expect(c.wait, c.name).toBe(true);
    }
    expect(containerNamed(platform, `${prefix}-postgres`).container.healthcheck!.test).toContain('pg_isready');
    expect(containerNamed(platform, `${prefix}-user-service-1`).container.healthcheck!.test.join(' ')).toContain('/healthz');
    expect(containerNamed(platform, `${prefix}-nginx`).container.healthcheck!.test.join(' ')).toContain('/nginx-health');
    expect(containerNamed(platform, `${prefix}-kibana`).container.healthcheck!.test.join(' ')).toContain('/api/status');
  });

  it('gives every shell healthcheck a command a POSIX shell parses', () => {
    for (const c of running()) {
      const [kind, ...command] = c.healthcheck!.test;
      if (kind !== 'CMD-SHELL') continue;
      const parsed = spawnSync('sh', ['-n', '-c', command.join(' ')], { encoding: 'utf8' });
      expect(parsed.status, `${c.name}: ${parsed.stderr}`).toBe(0);
    }
  });

  it('publishes only nginx, Kibana and the first Elasticsearch node, all on 127.0.0.1', () => {
    const published = all().filter((c) => (c.ports ?? []).length > 0);
    expect(published.map((c) => c.name).sort()).toEqual(
      [`${prefix}-elasticsearch${config.elasticsearch.nodes === 3 ? '-1' : ''}`, `${prefix}-kibana`, `${prefix}-nginx`].sort(),
    );
    for (const c of published) for (const p of c.ports!) expect(p.ip, c.name).toBe('127.0.0.1');
    expect(containerNamed(platform, `${prefix}-nginx`).container.ports![0]!.external).toBe(config.ports.nginx);
    expect(containerNamed(platform, `${prefix}-kibana`).container.ports![0]!.external).toBe(config.ports.kibana);
  });

  it('keeps data on named volumes and shares one log volume between writers and Filebeat', () => {
    const volumes = Object.values(platform.tf.resource.docker_volume!).map((v) => v.name);
    expect(volumes).toEqual(expect.arrayContaining([`${prefix}-postgres-data`, `${prefix}-redis-data`, `${prefix}-logs`]));
    const logVolume = Object.entries(platform.tf.resource.docker_volume!).find(([, v]) => v.name === `${prefix}-logs`)![0];
    const logRef = `\${docker_volume.${logVolume}.name}`;
    for (const service of SERVICES) {
      const { container } = containerNamed(platform, `${prefix}-${service.name}-1`);
      expect(container.mounts).toContainEqual({ type: 'volume', source: logRef, target: LOG_ROOT });
      expect(container.env).toContain(`LOG_FILE=${serviceLogDir(service.name)}/${service.name}-1.log`);
    }
    expect(containerNamed(platform, `${prefix}-nginx`).container.mounts).toContainEqual({ type: 'volume', source: logRef, target: LOG_ROOT });
    expect(containerNamed(deployment, `${prefix}-filebeat`).container.volumes).toContainEqual(
      expect.objectContaining({ volume_name: logRef, container_path: LOG_ROOT, read_only: true }),
    );
    expect(containerNamed(platform, `${prefix}-postgres`).container.mounts![0]!.target).toBe('/var/lib/postgresql/data');
    expect(containerNamed(platform, `${prefix}-redis`).container.mounts![0]!.target).toBe('/data');
  });

  it('uploads an nginx config that routes both services to every replica', () => {
    const conf = containerNamed(platform, `${prefix}-nginx`).container.upload!.find((u) => u.file === '/etc/nginx/nginx.conf')!.content;
    for (const service of SERVICES) {
      expect(conf).toContain(`location ${service.routePrefix}/ {`);
      expect(conf).toContain(`location = ${service.routePrefix} {`);
      expect(conf).toContain(`upstream ${service.name} {`);
      for (let i = 1; i <= replicasOf(config, service.name); i++) expect(conf).toContain(`server ${service.name}-${i}:${service.port} `);
    }
    expect(conf).toContain('proxy_set_header X-Request-ID $platform_request_id;');
  });

  it('gives each service its own database role, Redis user and the URLs of the services it calls', () => {
    const env = (name: string) => containerNamed(platform, name).container.env!;
    const users = env(`${prefix}-user-service-1`);
    const orders = env(`${prefix}-order-service-1`);
    expect(users.find((e) => e.startsWith('DATABASE_URL='))).toMatch(/^DATABASE_URL=postgres:\/\/users:\$\{random_password\.postgres_users-password_\w+\.result\}@postgres:5432\/users\?sslmode=verify-full$/);
    expect(orders.find((e) => e.startsWith('DATABASE_URL='))).toMatch(/^DATABASE_URL=postgres:\/\/orders:\$\{random_password\.postgres_orders-password_\w+\.result\}@postgres:5432\/orders\?sslmode=verify-full$/);
    expect(orders.find((e) => e.startsWith('REDIS_URL='))).toMatch(/^REDIS_URL=rediss:\/\/order-service:\$\{random_password\.redis_order-service-password_\w+\.result\}@redis:6379$/);
    expect(orders).toContain('REDIS_KEY_PREFIX=order-service:');
    for (const e of [users, orders]) expect(e).toContain(`TLS_CA_FILE=${SERVICE_CA_FILE}`);
    expect(users).toContain('REDIS_KEY_PREFIX=user-service:');
    const acl = containerNamed(platform, `${prefix}-redis`).container.upload!.find((u) => u.file.endsWith('/users.acl'))!.content;
    expect(acl).toContain('user default off');
    for (const service of SERVICES) {
      expect(acl).toMatch(new RegExp(`user ${service.name} on #\\$\\{sha256\\(random_password\\.redis_${service.name}-password_\\w+\\.result\\)\\} resetkeys ~${service.name}:\\* `));
    }
    expect(orders).toContain('USER_SERVICE_URL=http://user-service:8000');
    expect(users.some((e) => e.startsWith('USER_SERVICE_URL='))).toBe(false);
    expect(orders).toContain(`SERVICE_ENVIRONMENT=${config.environment}`);
    const init = containerNamed(platform, `${prefix}-postgres`).container.upload!.find((u) => u.file.startsWith('/docker-entrypoint-initdb.d/'))!;
    expect(init.content).toContain('REVOKE ALL ON DATABASE :"role" FROM PUBLIC;');
    expect(init.content).toContain('--set=role=users');
    expect(init.content).toContain('--set=role=orders');
  });

  it('starts containers in dependency order', () => {
    const deps = (name: string) => dependsOn(platform, name);
    for (const service of SERVICES) {
      const replica = `${prefix}-${service.name}-1`;
      expect(deps(replica)).toEqual(expect.arrayContaining([ref(platform, `${prefix}-postgres`), ref(platform, `${prefix}-redis`)]));
      expect(deps(`${prefix}-nginx`)).toContain(ref(platform, replica));
    }
    expect(deps(`${prefix}-order-service-1`)).toContain(ref(platform, `${prefix}-user-service-1`));
    const esNodes = all().filter((c) => c.name.startsWith(`${prefix}-elasticsearch`)).map((c) => ref(platform, c.name));
    expect(deps(`${prefix}-kibana`)).toEqual(expect.arrayContaining(esNodes));
    // The shippers start in the ingest stack, deployed after the platform and the elastic stack.
    expect(dependsOn(deployment, `${prefix}-filebeat`)).toContain(ref(deployment, `${prefix}-logstash`));
  });

  it('builds each service image locally from services/Dockerfile with an explicit tag and a build-hash trigger', () => {
    const images = Object.values(platform.tf.resource.docker_image!) as { name: string; build?: { context: string; dockerfile: string; build_args?: Record<string, string> }; triggers?: Record<string, string> }[];
    for (const service of SERVICES) {
      const image = images.find((i) => i.name.startsWith(`${prefix}-${service.name}:`))!;
      expect(image.name).toMatch(/:src-[a-f0-9]{12}$/);
      expect(image.build).toMatchObject({ context: '../../..', dockerfile: '../../../services/Dockerfile', build_args: { SERVICE: service.name } });
      expect(image.triggers!.build_sha256).toMatch(/^[a-f0-9]{64}$/);
      // Environment-specific, so destroy removes it; shared public images stay for other environments.
      expect((image as { keep_locally?: boolean }).keep_locally).toBeUndefined();
    }
    for (const pulled of images.filter((i) => !i.build)) expect((pulled as { keep_locally?: boolean }).keep_locally, pulled.name).toBe(true);
  });

  it('exports the URLs a user opens and marks secrets sensitive', () => {
    const out = platform.tf.output;
    expect(out.nginx_url!.value).toBe(`http://127.0.0.1:${config.ports.nginx}`);
    expect(out.kibana_url!.value).toBe(`https://127.0.0.1:${config.ports.kibana}`);
    expect(out.elastic_provisioner_password!.sensitive).toBe(true);
    expect(out.elastic_superuser_password!.sensitive).toBe(true);
    expect(out.credentials_hint!.value).toContain('--outputs-file-include-sensitive-outputs');
    for (const [name, output] of Object.entries(out)) {
      if (/password|secret|key/i.test(name) && !/pem$/.test(name)) expect(output.sensitive, name).toBe(true);
    }
  });

  it('holds no secret value: every password, key and URL credential is a Terraform reference', () => {
    expect(platform.json).not.toMatch(/-----BEGIN/);
    for (const c of all()) {
      for (const entry of c.env ?? []) {
        const [name, value = ''] = entry.split(/=(.*)/s);
        if (/PASSWORD|_KEY$|SECRET/.test(name!)) expect(value, `${c.name} ${name}`).toMatch(/^\$\{[^}]+\}$/);
        const credentials = /^[a-z]+:\/\/([^:@/]+):([^@]+)@/.exec(value);
        if (credentials) expect(credentials[2], `${c.name} ${name}`).toMatch(/^\$\{random_password\.[^}]+\.result\}$/);
      }
    }
  });

  it('exposes the connection the elastic stack needs', () => {
    const connection = platform.stack.elasticConnection;
    expect(connection.elasticsearchEndpoint).toBe(`https://127.0.0.1:${config.ports.elasticsearch}`);
    expect(connection.kibanaEndpoint).toBe(`https://127.0.0.1:${config.ports.kibana}`);
    expect(connection.username).toBe('platform_provisioner');
    expect(connection.password).toMatch(/TOKEN/);
    expect(connection.caCertificatePem).toMatch(/TOKEN/);
  });
});

describe('staging Elasticsearch', () => {
  const platform = synthesized.staging!;

  it('is a real three-node cluster: every node seeds the others and all bootstrap it together the first time', () => {
    const nodes = ['elasticsearch-1', 'elasticsearch-2', 'elasticsearch-3'];
    for (const node of nodes) {
      const env = containerNamed(platform, `elk-staging-${node}`).container.env!;
      expect(env).toContain(`node.name=${node}`);
      expect(containerNamed(platform, `elk-staging-${node}`).container.command as string[]).toEqual(expect.arrayContaining([expect.stringContaining('cluster.initial_master_nodes=elasticsearch-1,elasticsearch-2,elasticsearch-3')]));
      expect(env).toContain(`discovery.seed_hosts=${nodes.filter((n) => n !== node).join(',')}`);
      expect(env.some((e) => e.startsWith('discovery.type='))).toBe(false);
      expect(containerNamed(platform, `elk-staging-${node}`).container.networks_advanced![0]!.aliases).toEqual([node, 'elasticsearch']);
    }
  });

  it('runs dev as a single node', () => {
    expect(containerNamed(synthesized.dev!, 'elk-dev-elasticsearch').container.env).toContain('discovery.type=single-node');
  });
});
