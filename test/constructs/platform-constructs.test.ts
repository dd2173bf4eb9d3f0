import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES, type ServiceDeclaration } from '@platform/contract';
import { loadEnvironmentConfig } from '../../stacks/config/index.js';
import { orderByCalls, PlatformStack } from '../../stacks/platform-stack.js';
import { FastifyService, hashServiceSources, type FastifyServiceProps } from '../../constructs/fastify-service.js';
import { Nginx } from '../../constructs/nginx.js';
import type { PlatformContext } from '../../constructs/platform-context.js';
import { Postgres } from '../../constructs/postgres.js';
import { Redis } from '../../constructs/redis.js';
import { PlatformPki } from '../../constructs/security/index.js';

const work = mkdtempSync(join(tmpdir(), 'platform-constructs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const context: PlatformContext = { namePrefix: 'elk-dev', networkName: 'elk-dev-net' };
const [userService, orderService] = SERVICES;

function serviceProps(overrides: Partial<FastifyServiceProps> = {}): FastifyServiceProps {
  return { context, environment: 'dev', service: userService, databaseUrl: 'postgres://x', redisUrl: 'redis://x', redisKeyPrefix: 'user-service:', logVolumeName: 'logs', ...overrides };
}

describe('service source hash (the image rebuild trigger)', () => {
  const root = join(work, 'repo');
  const write = (path: string, content: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  /** A file under `services/<pkg>/src/` of the fake repository. */
  const source = (pkg: string, file: string) => `services/${pkg}/src/${file}`;
  write('package.json', '{}');
  write(source('contract', 'index.ts'), 'export {};');
  write(source('shared', 'index.ts'), 'export {};');
  write(source('user-service', 'main.ts'), 'console.log(1);');
  write('services/Dockerfile', 'ARG NODE_IMAGE\nFROM ${NODE_IMAGE}');

  it('changes when the service, the contract or shared package, the lock file or the shared Dockerfile changes', () => {
    const before = hashServiceSources('user-service', root);
    write(source('user-service', 'main.ts'), 'console.log(2);');
    const afterService = hashServiceSources('user-service', root);
    write(source('contract', 'index.ts'), 'export const y = 1;');
    const afterContract = hashServiceSources('user-service', root);
    write(source('shared', 'index.ts'), 'export const x = 1;');
    const afterShared = hashServiceSources('user-service', root);
    write('package-lock.json', '{"lockfileVersion":3}');
    const afterLock = hashServiceSources('user-service', root);
    write('services/Dockerfile', 'ARG NODE_IMAGE\nFROM ${NODE_IMAGE}\nUSER node');
    const afterDockerfile = hashServiceSources('user-service', root);
    expect(new Set([before, afterService, afterContract, afterShared, afterLock, afterDockerfile]).size).toBe(6);
  });

  it('ignores build output and installed dependencies', () => {
    const before = hashServiceSources('user-service', root);
    write('services/user-service/dist/main.js', 'compiled');
    write('services/user-service/node_modules/x/index.js', 'dependency');
    write('services/shared/node_modules/y/index.js', 'dependency');
    write('services/contract/dist/index.js', 'compiled');
    expect(hashServiceSources('user-service', root)).toBe(before);
  });

  it("does not change with another service's sources", () => {
    const before = hashServiceSources('user-service', root);
    write(source('order-service', 'main.ts'), 'other');
    expect(hashServiceSources('user-service', root)).toBe(before);
  });
});

describe('FastifyService', () => {
  it('fails synth validation, naming the files, when the service has no directory for services/Dockerfile to build', () => {
    const ghost: ServiceDeclaration = { name: 'ghost-service', port: 8000, routePrefix: '/ghosts', database: 'ghosts', calls: {} };
    const stack = new TerraformStack(Testing.app(), 'ghost');
    new FastifyService(stack, 'ghost', serviceProps({ service: ghost }));
    expect(() => Testing.synth(stack, true)).toThrow(/ghost\/ghost: services\/ghost-service\/package\.json does not exist/);
    expect(() => Testing.synth(stack, true)).toThrow(/ghost\/ghost: services\/ghost-service\/migrations does not exist/);
  });

  // How many replicas an environment may run (at most 10) is the settings schema's rule.
  it.each([0, 1.5])('refuses replicas %s', (replicas) => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() => new FastifyService(stack, 's', serviceProps({ replicas }))).toThrow(/^bad\/s: replicas must be a whole number, at least 1/);
  });

  it('refuses a memory limit too small to run Node', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() => new FastifyService(stack, 's', serviceProps({ memoryMb: 16 }))).toThrow(/^bad\/s: memoryMb must be a whole number of MiB, at least 64 \(got 16\)/);
  });

  it('refuses an unknown log level', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() => new FastifyService(stack, 's', serviceProps({ logLevel: 'verbose' as never }))).toThrow(/logLevel must be one of fatal, error, warn, info, debug, trace/);
  });

  it('needs the services it calls', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() => new FastifyService(stack, 's', serviceProps({ service: orderService, redisKeyPrefix: 'order-service:' }))).toThrow(
      /^bad\/s: peers\.user-service is missing: "order-service" calls "user-service" \(USER_SERVICE_URL\)/,
    );
  });

  it('runs one container per replica, each with its own alias and log file, all sharing the service alias', () => {
    const stack = new TerraformStack(Testing.app(), 'ok');
    const service = new FastifyService(stack, 's', serviceProps({ replicas: 3 }));
    expect(service.replicaAliases).toEqual(['user-service-1', 'user-service-2', 'user-service-3']);
    expect(service.containers).toHaveLength(3);
    expect(service.url).toBe('http://user-service:8000');
  });
});

describe('Postgres, Redis and Nginx props', () => {
  const stack = () => new TerraformStack(Testing.app(), 'props');
  /** Context and the CA Postgres and Redis take, in `s`. */
  const base = (s: TerraformStack) => ({ context, certificateAuthority: new PlatformPki(s, 'pki', { context }) });

  const database = (service: ServiceDeclaration) => ({ name: service.database, client: service.name });
  /** The synthesized upload of `file` in the container `resource` of `s`. */
  const uploaded = (s: TerraformStack, file: string) => {
    const containers = JSON.parse(Testing.synth(s)).resource.docker_container as Record<string, { upload: { file: string; content: string }[]; env?: string[] }>;
    const [container] = Object.values(containers);
    return { content: container!.upload.find((u) => u.file === file)!.content, env: container!.env ?? [] };
  };

  it('Postgres refuses a database added twice, and a database name that is not an identifier', () => {
    const s = stack();
    const postgres = new Postgres(s, 'pg', base(s));
    postgres.addDatabase(database(userService));
    expect(() => postgres.addDatabase({ name: userService.database, client: orderService.name })).toThrow(/database "users" is already "user-service"'s; "order-service" needs its own/);
    expect(() => postgres.addDatabase({ name: 'user-db', client: 'user-service' })).toThrow(/database "user-db" of "user-service" must be a lower-case SQL identifier/);
    expect(() => postgres.addDatabase({ name: 'postgres', client: 'user-service' })).toThrow(/not "postgres"/);
  });

  it('Postgres and Redis render every database and user added after them, at synthesis', () => {
    const s = stack();
    const postgres = new Postgres(s, 'pg', base(s));
    for (const service of [userService, orderService]) postgres.addDatabase(database(service));
    const { content: script, env } = uploaded(s, '/docker-entrypoint-initdb.d/10-service-databases.sh');
    expect(script).toContain('# user-service: database "users"');
    expect(script).toContain(`# order-service: database "${orderService.database}"`);
    expect(env.filter((e) => e.startsWith('SERVICE_DB_PASSWORD_'))).toHaveLength(2);

    const r = stack();
    const redis = new Redis(r, 'redis', base(r));
    const access = redis.addUser('user-service');
    redis.addUser('order-service');
    expect(access.keyPrefix).toBe('user-service:');
    expect(access.url).toMatch(/^rediss:\/\/user-service:.+@redis:6379$/);
    const acl = uploaded(r, '/usr/local/etc/redis/users.acl').content;
    expect(acl).toMatch(/^user user-service on #/m);
    expect(acl).toMatch(/^user order-service on #/m);
  });

  it('Postgres and Redis refuse an addition once synthesis has read their lists, and fail validation with none', () => {
    const s = stack();
    const props = base(s);
    const postgres = new Postgres(s, 'pg', props);
    const redis = new Redis(s, 'redis', props);
    expect(postgres.node.validate()).toEqual(['has no database: call addDatabase once for each service that uses Postgres']);
    expect(redis.node.validate()).toEqual(['has no user: call addUser once for each service that uses Redis']);
    postgres.addDatabase(database(userService));
    redis.addUser('user-service');
    Testing.synth(s);
    expect(() => postgres.addDatabase(database(orderService))).toThrow(/props\/pg: addDatabase\("orders"\) came after synthesis read the database list/);
    expect(() => redis.addUser('order-service')).toThrow(/props\/redis: addUser\("order-service"\) came after synthesis read the user list/);
  });

  it('Redis refuses an ACL user name it reserves, and the same user twice', () => {
    const s = stack();
    const redis = new Redis(s, 'redis', base(s));
    expect(() => redis.addUser('default')).toThrow(/cannot make an ACL user "default"/);
    redis.addUser('user-service');
    expect(() => redis.addUser('user-service')).toThrow(/already has an ACL user "user-service"/);
  });

  it('Nginx needs something to route to and room to run', () => {
    expect(() => new Nginx(stack(), 'nginx', { context, services: [], logVolumeName: 'logs' })).toThrow(/at least one service/);
    const s = stack();
    const service = new FastifyService(s, 'svc', serviceProps());
    expect(() => new Nginx(s, 'nginx', { context, services: [service], logVolumeName: 'logs', memoryMb: 8 })).toThrow(/\/nginx: memoryMb must be a whole number of MiB, at least 32 \(got 8\)/);
  });

  it('Nginx publishes on the bind address and port it is given, and refuses a port that is no TCP port', () => {
    const s = stack();
    const service = new FastifyService(s, 'svc', serviceProps());
    const nginx = new Nginx(s, 'nginx', { context, services: [service], logVolumeName: 'logs', bindAddress: '10.0.0.5', publishedPort: 9090 });
    expect(nginx.url).toBe('http://10.0.0.5:9090');
    expect(() => new Nginx(s, 'nginx-2', { context, services: [service], logVolumeName: 'logs', publishedPort: 0 })).toThrow(
      /\/nginx-2: publishedPort must be a whole number from 1 to 65535 \(got 0\)/,
    );
  });
});

describe('service start order', () => {
  const svc = (name: string, calls: Record<string, string> = {}): ServiceDeclaration => ({ name, port: 8000, routePrefix: `/${name}`, database: name.replace(/-/g, '_'), calls });

  it('puts callees before callers, whatever the declaration order', () => {
    const order = orderByCalls([svc('a', { B_URL: 'b' }), svc('b', { C_URL: 'c' }), svc('c')]).map((s) => s.name);
    expect(order).toEqual(['c', 'b', 'a']);
  });

  it('refuses a call to an undeclared service and a cycle of calls', () => {
    expect(() => orderByCalls([svc('a', { X_URL: 'x' })])).toThrow(/^orderByCalls: service "a" calls "x" \(X_URL\), which is not declared; declared services: a/);
    expect(() => orderByCalls([svc('a', { B_URL: 'b' }), svc('b', { A_URL: 'a' })])).toThrow(/cycle: a -> b -> a/);
  });

  it('lets the platform stack take the services in any order', () => {
    const reversed = [...SERVICES].reverse();
    const stack = new PlatformStack(Testing.app(), 'dev-platform', { config: loadEnvironmentConfig('dev'), services: reversed });
    expect(stack.services.map((s) => s.service.name)).toEqual(['user-service', 'order-service']);
  });
});
