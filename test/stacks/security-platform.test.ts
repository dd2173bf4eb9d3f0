/**
 * Issue 6 over the synthesized stacks of every shipped environment: TLS on
 * everywhere and anchored in the platform CA, no verification turned off, each
 * component authenticating as its own least-privilege user, and no generated
 * secret in clear text in the synthesized files.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvironmentConfig, ENVIRONMENTS, type Component, type EnvironmentConfig } from '../../stacks/config/index.js';
import { createStacks } from '../../stacks/app.js';
import { resolveImage } from '../../stacks/images.js';
import { KIBANA_SYSTEM_ROLE, PLATFORM_ROLE_NAMES, PLATFORM_USERS, REMOTE_MONITORING_ROLES, SUPERUSER_PASSWORD_VARIABLE, platformRoles, toRoleDescriptor } from '../../constructs/security/index.js';
import { TLS_DISABLING_PATTERNS, findTlsDisabling, stringsOf } from '../../constructs/security/index.js';

interface Upload {
  file: string;
  content?: string;
  permissions?: string;
}
interface Container {
  name: string;
  image: string;
  env?: string[];
  upload?: Upload[];
  command?: string[];
  healthcheck?: { test: string[] };
  networks_advanced?: { aliases?: string[] }[];
  ports?: { ip?: string; external?: number }[];
}
interface StackJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown; sensitive?: boolean }>;
  provider?: Record<string, Record<string, any>[]>;
}

const LEAF_TOKEN = /^\$\{tls_locally_signed_cert\.([\w-]+)\.cert_pem\}$/;
const PKCS8_KEY_TOKEN = /^\$\{tls_private_key\.([\w-]+)\.private_key_pem_pkcs8\}$/;

/** A Terraform-escaped literal (`$${VAR}` for the program's own variables) as the container will see it. */
const unescape = (text: string) => text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

/**
 * Every stack of the environment exactly as `cdktf synth` writes it (cross-stack
 * references resolved to remote-state outputs), keyed without the `<env>-` prefix.
 */
function synthEnvironment(config: EnvironmentConfig): { platform: StackJson } & Record<string, StackJson> {
  const outdir = mkdtempSync(join(tmpdir(), `security-${config.environment}-`));
  try {
    const app = new App({ outdir });
    createStacks(app, config);
    app.synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { synthesizedStackPath: string }>;
    };
    const stacks = Object.fromEntries(
      Object.entries(manifest.stacks).map(([name, stack]) => [
        name.replace(`${config.environment}-`, ''),
        JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8')) as StackJson,
      ]),
    );
    expect(Object.keys(stacks)).toContain('platform');
    return stacks as { platform: StackJson } & Record<string, StackJson>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The platform stack of `env`, read the way the tests need it. */
function platformOf(environment: string) {
  const config = loadEnvironmentConfig(environment);
  const stacks = synthEnvironment(config);
  const platform = stacks.platform;
  // The ingest stack's shippers read the platform's values through remote-state outputs; read
  // each such output back to the platform's own expression (every one must be sensitive). The
  // elastic stack's outputs it reads (data stream names, the cluster UUID) hold no secret.
  const crossStack = new RegExp(`\\$\\{data\\.terraform_remote_state\\.[\\w-]+-${environment}-platform\\.outputs\\.([\\w-]+)\\}`, 'g');
  const ingestJson = JSON.stringify(Object.values(stacks.ingest?.resource.docker_container ?? {}));
  expect([...ingestJson.matchAll(crossStack)].length, 'the ingest stack reads platform outputs').toBeGreaterThan(0);
  for (const [, name] of ingestJson.matchAll(crossStack)) {
    expect(platform.output?.[name!]?.sensitive, `cross-stack output ${name} is sensitive`).toBe(true);
  }
  const shippers = JSON.parse(ingestJson.replace(crossStack, (_, name: string) => String(platform.output![name]!.value))) as Container[];
  const containers = [...(Object.values(platform.resource.docker_container ?? {}) as unknown as Container[]), ...shippers];
  const images = { ...platform.resource.docker_image, ...stacks.ingest?.resource.docker_image };
  const componentOf = (container: Container): Component | undefined => {
    const id = /^\$\{docker_image\.([\w-]+)\.image_id\}$/.exec(container.image)?.[1];
    const name = id ? (images[id]?.name as string | undefined) : container.image;
    const components: Component[] = ['postgres', 'redis', 'elasticsearch', 'logstash', 'kibana', 'filebeat', 'nginx'];
    return components.find((c) => resolveImage(config, c) === name);
  };
  // A component's running containers; a one-shot preparation step (attach) on the same image is not one.
  const of = (component: Component) => containers.filter((c) => !(c as { attach?: boolean }).attach && componentOf(c) === component);
  const one = (component: Component) => {
    const found = of(component);
    expect(found, `one ${component} container`).toHaveLength(1);
    return found[0]!;
  };
  const env = (container: Container) =>
    Object.fromEntries((container.env ?? []).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const upload = (container: Container, path: string) => {
    const found = (container.upload ?? []).find((u) => u.file === path);
    expect(found, `${container.name} uploads ${path}`).toBeDefined();
    return found!.content ?? '';
  };
  const caIds = Object.keys(platform.resource.tls_self_signed_cert ?? {});
  expect(caIds, 'exactly one CA').toHaveLength(1);
  const caToken = `\${tls_self_signed_cert.${caIds[0]}.cert_pem}`;
  const aliasesOf = (container: Container) => (container.networks_advanced ?? []).flatMap((n) => n.aliases ?? []);

  /**
   * The certificate at `certPath` and key at `keyPath` in `container`: a leaf signed by the
   * CA, the key its own (PKCS#8), SANs covering the container's aliases, localhost and 127.0.0.1.
   */
  const expectServerCertificate = (container: Container, certPath: string, keyPath: string) => {
    const certId = LEAF_TOKEN.exec(upload(container, certPath))?.[1];
    expect(certId, `${container.name}: ${certPath} is a certificate from the platform PKI`).toBeDefined();
    const keyId = PKCS8_KEY_TOKEN.exec(upload(container, keyPath))?.[1];
    expect(keyId, `${container.name}: ${keyPath} is a PKCS#8 key from the PKI`).toBeDefined();
    const cert = platform.resource.tls_locally_signed_cert![certId!]!;
    expect(cert.ca_cert_pem, 'signed by the platform CA').toBe(caToken);
    expect(cert.allowed_uses).toEqual(expect.arrayContaining(['server_auth']));
    const csrId = /^\$\{tls_cert_request\.([\w-]+)\.cert_request_pem\}$/.exec(String(cert.cert_request_pem))?.[1];
    const csr = platform.resource.tls_cert_request![csrId!]!;
    expect(csr.private_key_pem, 'the uploaded key is the certificate key').toBe(`\${tls_private_key.${keyId}.private_key_pem}`);
    expect(csr.dns_names).toEqual(expect.arrayContaining([...aliasesOf(container), 'localhost']));
    expect(csr.ip_addresses).toEqual(expect.arrayContaining(['127.0.0.1']));
    return csr.dns_names as string[];
  };
  return { config, stacks, platform, containers, of, one, env, upload, caToken, expectServerCertificate, aliasesOf };
}

const passwordToken = (token: string) => /^\$\{random_password\.([\w-]+)\.result\}$/.exec(token)?.[1];

describe.each(Object.keys(ENVIRONMENTS))('security of the %s environment', (environment) => {
  const p = platformOf(environment);

  it('Elasticsearch: security on, HTTP and transport TLS with PKI certificates, verified against the CA', () => {
    const nodes = p.of('elasticsearch');
    expect(nodes).toHaveLength(p.config.elasticsearch.nodes);
    for (const node of nodes) {
      const env = p.env(node);
      expect(env['xpack.security.enabled']).toBe('true');
      for (const layer of ['http', 'transport']) {
        expect(env[`xpack.security.${layer}.ssl.enabled`], `${node.name} ${layer} TLS`).toBe('true');
        expect(p.upload(node, env[`xpack.security.${layer}.ssl.certificate_authorities`]!)).toBe(p.caToken);
        const sans = p.expectServerCertificate(node, env[`xpack.security.${layer}.ssl.certificate`]!, env[`xpack.security.${layer}.ssl.key`]!);
        expect(sans).toContain(env['node.name']);
      }
      expect(env['xpack.security.transport.ssl.verification_mode']).toBe('full');
      expect(env['xpack.security.http.ssl.verification_mode'] ?? 'full').toBe('full');
      expect(node.ports?.every((port) => port.ip === p.config.bindAddress)).toBe(true);
    }
  });

  it('Kibana: serves HTTPS with its PKI certificate and verifies Elasticsearch against the CA', () => {
    const kibana = p.one('kibana');
    const yml = parse(unescape(p.upload(kibana, '/usr/share/kibana/config/kibana.yml'))) as Record<string, unknown>;
    expect(yml['server.ssl.enabled']).toBe(true);
    p.expectServerCertificate(kibana, yml['server.ssl.certificate'] as string, yml['server.ssl.key'] as string);
    const hosts = yml['elasticsearch.hosts'] as string[];
    expect(hosts.length).toBeGreaterThan(0);
    for (const host of hosts) expect(host).toMatch(/^https:\/\//);
    const cas = yml['elasticsearch.ssl.certificateAuthorities'] as string[];
    expect(cas).toHaveLength(1);
    expect(p.upload(kibana, cas[0]!)).toBe(p.caToken);
    expect(yml['elasticsearch.ssl.verificationMode'] ?? 'full').toBe('full');
    // Every host Kibana connects to is a name the Elasticsearch certificates carry.
    const esNames = p.of('elasticsearch').flatMap((node) => p.aliasesOf(node));
    for (const host of hosts) expect(esNames).toContain(new URL(host).hostname);
  });

  it('Logstash: TLS Beats input with its PKI certificate; Elasticsearch output over verified TLS', () => {
    const logstash = p.one('logstash');
    const env = p.env(logstash);
    const conf = (logstash.upload ?? []).filter((u) => u.file.endsWith('.conf')).map((u) => unescape(u.content ?? '')).join('\n');
    const setting = (block: string, name: string) => {
      const body = new RegExp(`\\b${block}\\s*\\{([\\s\\S]*?)\\n\\s*\\}`).exec(conf)?.[1] ?? '';
      return new RegExp(`^\\s*${name}\\s*=>\\s*(.+?)\\s*$`, 'm').exec(body)?.[1];
    };
    /** `"${VAR}"` or `["${VAR}"]` -> the variable's value in the container. */
    const viaEnv = (value: string | undefined) => env[/\$\{(\w+)\}/.exec(value ?? '')?.[1] ?? ''];
    expect(setting('beats', 'ssl_enabled')).toBe('true');
    p.expectServerCertificate(logstash, viaEnv(setting('beats', 'ssl_certificate'))!, viaEnv(setting('beats', 'ssl_key'))!);
    expect(setting('elasticsearch', 'ssl_enabled')).toBe('true');
    expect(setting('elasticsearch', 'ssl_verification_mode')).toBe('"full"');
    expect(p.upload(logstash, viaEnv(setting('elasticsearch', 'ssl_certificate_authorities'))!)).toBe(p.caToken);
    for (const host of viaEnv(setting('elasticsearch', 'hosts'))!.split(/[\s,]+/)) expect(host).toMatch(/^https:\/\//);
  });

  it('Filebeat: ships to Logstash over TLS verified against the CA, to a name on Logstash certificate', () => {
    const filebeat = p.one('filebeat');
    const yml = parse(unescape(p.upload(filebeat, '/usr/share/filebeat/filebeat.yml'))) as Record<string, any>;
    const output = yml['output.logstash'];
    expect(output.ssl.enabled).toBe(true);
    expect(output.ssl.verification_mode ?? 'full').toBe('full');
    expect(output.ssl.certificate_authorities).toHaveLength(1);
    expect(p.upload(filebeat, output.ssl.certificate_authorities[0])).toBe(p.caToken);
    const logstashNames = p.aliasesOf(p.one('logstash'));
    for (const host of output.hosts as string[]) expect(logstashNames).toContain(host.split(':')[0]);
  });

  it('Postgres and Redis: TLS only, PKI certificates, and every service verifies them against the CA', () => {
    const postgres = p.one('postgres');
    const args = postgres.command ?? [];
    const setting = (name: string) => args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
    expect(setting('ssl')).toBe('on');
    p.expectServerCertificate(postgres, setting('ssl_cert_file')!, setting('ssl_key_file')!);
    expect(postgres.upload!.find((u) => u.file === setting('ssl_key_file'))).toMatchObject({ permissions: '0600' });
    const hba = p.upload(postgres, setting('hba_file')!).split('\n').filter((line) => /^(local|host)/.test(line));
    // Over TCP: TLS with a password, or nothing.
    expect(hba.map((line) => line.split(/\s+/))).toEqual([
      ['local', 'all', 'all', 'trust'],
      ['hostssl', 'all', 'all', 'all', 'scram-sha-256'],
      ['hostnossl', 'all', 'all', 'all', 'reject'],
    ]);
    const pgHealth = postgres.healthcheck!.test.join(' ');
    expect(pgHealth).toMatch(/sslmode=verify-full sslrootcert=(\S+)/);
    expect(p.upload(postgres, /sslrootcert=(\S+)/.exec(pgHealth)![1]!)).toBe(p.caToken);

    const redis = p.one('redis');
    const conf = p.upload(redis, '/usr/local/etc/redis/redis.conf').split('\n');
    const value = (name: string) => conf.find((line) => line.startsWith(`${name} `))?.slice(name.length + 1);
    expect(value('port'), 'no plain-text port').toBe('0');
    expect(value('tls-port')).toBe('6379');
    p.expectServerCertificate(redis, value('tls-cert-file')!, value('tls-key-file')!);
    expect(redis.upload!.find((u) => u.file === value('tls-key-file'))).toMatchObject({ permissions: '0600' });
    const redisHealth = redis.healthcheck!.test.join(' ');
    expect(redisHealth).toMatch(/redis-cli --tls --cacert (\S+)/);
    expect(p.upload(redis, /--cacert (\S+)/.exec(redisHealth)![1]!)).toBe(p.caToken);

    const services = p.containers.filter((c) => p.env(c).DATABASE_URL !== undefined);
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      const env = p.env(service);
      const database = new URL(unescape(env.DATABASE_URL!).replace(/\$\{[^}]+\}/g, 'secret'));
      expect(database.searchParams.get('sslmode'), `${service.name} DATABASE_URL`).toBe('verify-full');
      expect(p.aliasesOf(postgres)).toContain(database.hostname);
      const cache = new URL(unescape(env.REDIS_URL!).replace(/\$\{[^}]+\}/g, 'secret'));
      expect(cache.protocol, `${service.name} REDIS_URL`).toBe('rediss:');
      expect(p.aliasesOf(redis)).toContain(cache.hostname);
      expect(p.upload(service, env.TLS_CA_FILE!), `${service.name} TLS_CA_FILE`).toBe(p.caToken);
    }
  });

  it('no container, config file, command or provider turns TLS or its verification off', () => {
    for (const [name, stack] of Object.entries(p.stacks)) {
      const found = findTlsDisabling(stringsOf(stack).map(unescape));
      expect(found, `${name} stack`).toEqual([]);
    }
    // Healthchecks and commands that reach a TLS port verify it too.
    for (const container of p.containers) {
      for (const line of [...(container.healthcheck?.test ?? []), ...(container.command ?? [])]) {
        if (line.includes('https://')) expect(line, container.name).toMatch(/--cacert \S+/);
      }
    }
  });

  it('Elasticsearch nodes carry exactly the declared file realm: users, their roles, the role bodies', () => {
    const expectedRoles = Object.fromEntries(
      Object.entries(platformRoles({ elasticVersion: p.config.elasticVersion })).map(([name, role]) => [name, toRoleDescriptor(role)]),
    );
    for (const node of p.of('elasticsearch')) {
      expect(parse(p.upload(node, '/usr/share/elasticsearch/config/roles.yml'))).toEqual(expectedRoles);
      const usersRoles = p.upload(node, '/usr/share/elasticsearch/config/users_roles');
      expect(usersRoles.trim().split('\n').sort()).toEqual(
        [
          `${KIBANA_SYSTEM_ROLE}:${PLATFORM_USERS.kibana.username}`,
          `${PLATFORM_ROLE_NAMES.logsWriter}:${PLATFORM_USERS.logstashWriter.username}`,
          `${PLATFORM_ROLE_NAMES.apmWriter}:${PLATFORM_USERS.apmWriter.username}`,
          `${PLATFORM_ROLE_NAMES.provisioner}:${PLATFORM_USERS.provisioner.username}`,
          `${PLATFORM_ROLE_NAMES.healthcheck}:${PLATFORM_USERS.healthcheck.username}`,
          ...REMOTE_MONITORING_ROLES.map((role) => `${role}:${PLATFORM_USERS.monitoring.username}`),
        ].sort(),
      );
      const users = p.upload(node, '/usr/share/elasticsearch/config/users');
      for (const line of users.trim().split('\n')) expect(line).toMatch(/^platform_\w+:\$\{random_password\.[\w-]+\.bcrypt_hash\}$/);
    }
  });

  it('each component authenticates as its own user, and each password reaches only its user', () => {
    const kibana = p.env(p.one('kibana'));
    const logstash = p.env(p.one('logstash'));
    const kibanaYml = parse(unescape(p.upload(p.one('kibana'), '/usr/share/kibana/config/kibana.yml'))) as Record<string, string>;
    const kibanaUser = kibana[/\$\{(\w+)\}/.exec(kibanaYml['elasticsearch.username']!)?.[1] ?? ''] ?? kibanaYml['elasticsearch.username'];
    expect(kibanaUser).toBe(PLATFORM_USERS.kibana.username);
    const kibanaPassword = kibana[/\$\{(\w+)\}/.exec(kibanaYml['elasticsearch.password']!)![1]!]!;
    expect(logstash.LOGSTASH_WRITER_USERNAME).toBe(PLATFORM_USERS.logstashWriter.username);
    const logstashPassword = logstash.LOGSTASH_WRITER_PASSWORD!;
    const nodes = p.of('elasticsearch');
    const superuserPassword = p.env(nodes[0]!)[SUPERUSER_PASSWORD_VARIABLE]!;
    for (const node of nodes) {
      expect(p.env(node)[SUPERUSER_PASSWORD_VARIABLE]).toBe(superuserPassword);
      expect(node.healthcheck?.test.join(' ')).toContain(`${PLATFORM_USERS.healthcheck.username}:`);
    }
    const passwords = { kibana: kibanaPassword, logstash: logstashPassword, superuser: superuserPassword };
    for (const [who, token] of Object.entries(passwords)) expect(passwordToken(token), `${who} password is generated`).toBeDefined();
    expect(new Set(Object.values(passwords)).size).toBe(3);

    // Where each password token is referenced, by container name or output name.
    const usesOf = (token: string) => {
      const users = new Set<string>();
      for (const c of p.containers) if (stringsOf(c).some((s) => s.includes(token))) users.add(c.name);
      for (const [name, output] of Object.entries(p.platform.output ?? {})) {
        // cdktf's cross-stack outputs only carry a value to the ingest stack's container (checked sensitive above).
        if (name.startsWith('cross-stack-output-')) continue;
        if (stringsOf(output).some((s) => s.includes(token))) users.add(`output:${name}`);
      }
      return [...users].sort();
    };
    expect(usesOf(kibanaPassword)).toEqual([p.one('kibana').name]);
    expect(usesOf(logstashPassword)).toEqual([p.one('logstash').name]);
    // The superuser: set on the nodes (ELASTIC_PASSWORD), handed to the operator, used by no component.
    expect(usesOf(superuserPassword).filter((u) => !u.startsWith('output:')).sort()).toEqual(nodes.map((n) => n.name).sort());
  });

  it('the Elastic configuration stack connects as the provisioner over HTTPS, verifying the platform CA', () => {
    const elastic = p.stacks.elastic;
    expect(elastic, 'an elastic stack').toBeDefined();
    const [provider, ...more] = elastic!.provider?.elasticstack ?? [];
    expect(provider, 'one elasticstack provider').toBeDefined();
    expect(more).toEqual([]);
    /** A value the elastic stack reads from the platform stack -> the platform output's own value. */
    const fromPlatform = (value: string) => {
      const output = /^\$\{data\.terraform_remote_state\.[\w-]+\.outputs\.([\w-]+)\}$/.exec(value)?.[1];
      expect(output, `${value} comes from the platform stack`).toBeDefined();
      const declared = p.platform.output?.[output!];
      expect(declared?.sensitive, `platform output ${output} is sensitive`).toBe(true);
      return declared!.value;
    };
    const provisionerPassword = p.platform.output?.elastic_provisioner_password?.value;
    const [es] = provider!.elasticsearch as Record<string, any>[];
    for (const endpoint of es!.endpoints as string[]) expect(endpoint).toMatch(/^https:\/\//);
    expect(es!.username).toBe(PLATFORM_USERS.provisioner.username);
    expect(fromPlatform(es!.password)).toBe(provisionerPassword);
    expect(fromPlatform(es!.ca_data)).toBe(p.caToken);
    expect(es).not.toHaveProperty('insecure');
    const [kibana] = provider!.kibana as Record<string, any>[];
    for (const endpoint of kibana!.endpoints as string[]) expect(endpoint).toMatch(/^https:\/\//);
    expect(kibana!.username).toBe(PLATFORM_USERS.provisioner.username);
    expect(fromPlatform(kibana!.password)).toBe(provisionerPassword);
    expect((kibana!.ca_certs as string[]).length).toBeGreaterThan(0);
    expect(kibana).not.toHaveProperty('insecure');
    // The provisioner's password is used by the elastic stack only: no container has it.
    expect(p.containers.filter((c) => stringsOf(c).some((s) => s.includes(String(provisionerPassword)))).map((c) => c.name)).toEqual([]);
  });

  it('Kibana: its three encryption keys are generated, distinct, at least 32 characters', () => {
    const kibana = p.one('kibana');
    const yml = parse(unescape(p.upload(kibana, '/usr/share/kibana/config/kibana.yml'))) as Record<string, string>;
    const env = p.env(kibana);
    const keys = ['xpack.encryptedSavedObjects.encryptionKey', 'xpack.reporting.encryptionKey', 'xpack.security.encryptionKey'].map((setting) => {
      const variable = /^\$\{(\w+)\}$/.exec(yml[setting] ?? '')?.[1];
      expect(variable, `${setting} comes from the environment`).toBeDefined();
      const id = passwordToken(env[variable!] ?? '');
      expect(id, `${setting} is generated`).toBeDefined();
      expect(p.platform.resource.random_password![id!]!.length as number).toBeGreaterThanOrEqual(32);
      return id;
    });
    expect(new Set(keys).size).toBe(3);
  });

  it('each service has its own Postgres role and Redis user, each with its own generated password', () => {
    const services = p.containers.filter((c) => p.env(c).DATABASE_URL !== undefined);
    expect(services.length).toBeGreaterThanOrEqual(2);
    const byService = new Map<string, { pg: string; redis: string }>();
    for (const container of services) {
      const env = p.env(container);
      const [pgUser, pgPassword] = /^postgres:\/\/([^:]+):(\$\{[^}]+\})@/.exec(env.DATABASE_URL!)!.slice(1);
      const [redisUser, redisPassword] = /^rediss?:\/\/([^:]+):(\$\{[^}]+\})@/.exec(env.REDIS_URL!)!.slice(1);
      for (const token of [pgPassword!, redisPassword!]) expect(passwordToken(token), `${container.name}: ${token}`).toBeDefined();
      const key = `${pgUser}/${redisUser}`;
      const seen = byService.get(key);
      // Replicas of one service share its credentials; different services never do.
      if (seen) expect(seen).toEqual({ pg: pgPassword, redis: redisPassword });
      byService.set(key, { pg: pgPassword!, redis: redisPassword! });
    }
    const all = [...byService.values()];
    expect(new Set(all.map((c) => c.pg)).size).toBe(all.length);
    expect(new Set(all.map((c) => c.redis)).size).toBe(all.length);
    expect(new Set([...byService.keys()].map((k) => k.split('/')[0])).size).toBe(all.length);
    // Redis: the password-less default user is switched off.
    const acl = (p.one('redis').upload ?? []).map((u) => u.content ?? '').join('\n');
    expect(acl).toMatch(/^user default off\b/m);
  });

  it('every output that carries a generated secret or a private key is sensitive', () => {
    for (const [name, output] of Object.entries(p.platform.output ?? {})) {
      const secret = stringsOf(output).some((s) => /random_password\.[\w-]+\.(result|bcrypt_hash)|tls_private_key\./.test(s));
      if (secret) expect(output.sensitive, `output ${name}`).toBe(true);
    }
  });

  it('publishes ports only on the configured bind address', () => {
    for (const container of p.containers) {
      for (const port of container.ports ?? []) expect(port.ip, `${container.name} port ${port.external}`).toBe(p.config.bindAddress);
    }
  });
});

describe('the TLS-disabling detector', () => {
  it('flags each way of turning verification or TLS off that it claims to', () => {
    const bad = [
      'ssl.verification_mode: none',
      'xpack.security.http.ssl.verification_mode=none',
      'elasticsearch.ssl.verificationMode: none',
      'ssl_verification_mode => "none"',
      'ssl_verification_mode => none',
      'NODE_TLS_REJECT_UNAUTHORIZED=0',
      'curl -k https://localhost:9200',
      'curl --insecure https://kibana:5601',
      'xpack.security.enabled=false',
      'xpack.security.http.ssl.enabled: false',
      'ssl_enabled => false',
      'server.ssl.enabled: false',
      '{"insecure":true}',
      'rejectUnauthorized: false',
      'hosts => "http://elasticsearch:9200"',
      'elasticsearch.hosts: ["http://elasticsearch-1:9200"]',
    ];
    for (const line of bad) expect(findTlsDisabling([line]), line).toHaveLength(1);
    expect(TLS_DISABLING_PATTERNS.length).toBeGreaterThan(5);
  });

  it('lets the platform own settings pass', () => {
    const good = [
      'xpack.security.transport.ssl.verification_mode=full',
      'ssl_verification_mode => "full"',
      'ssl_enabled => true',
      'curl --silent --fail --cacert /usr/share/kibana/config/certs/ca.crt https://localhost:5601/api/status',
      'status=$(curl --silent --fail http://localhost:9600/_node/pipelines)',
      'https://elasticsearch-1:9200',
      'USER_SERVICE_URL=http://user-service:8000',
    ];
    expect(findTlsDisabling(good)).toEqual([]);
  });
});
