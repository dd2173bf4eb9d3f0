import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Testing } from 'cdktf';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { renderNginxConfig } from '../../constructs/nginx-config.js';
import {
  FILEBEAT_CONFIG_PATH,
  FILEBEAT_DATA_DIR,
  FILEBEAT_HTTP_PORT,
  filebeatFiles,
  FINGERPRINT_LENGTH,
  logstashFiles,
  renderFilebeatConfig,
  type FilebeatConfigOptions,
} from '../../pipelines/index.js';
import { createServiceLogger } from '@platform/service-kit';
import { LOG_ROOT, NGINX_LOG_DIR, NGINX_LOG_SOURCE, SERVICES, serviceLogDir } from '@platform/contract';
import { loadEnvironmentConfig } from '../../stacks/config/index.js';
import { createStacks } from '../../stacks/app.js';
import { PlatformStack } from '../../stacks/platform-stack.js';

interface FilestreamInput {
  type: string;
  id: string;
  paths: string[];
  fields: { log_source: string; log_type: string; log_environment: string };
  fields_under_root: boolean;
  parsers?: Array<{ ndjson?: Record<string, unknown> }>;
  'prospector.scanner.symlinks'?: boolean;
  'prospector.scanner.fingerprint.length'?: number;
}

const OPTIONS: FilebeatConfigOptions = {
  services: SERVICES,
  environment: 'dev',
  logstashHosts: ['elk-dev-logstash:5044'],
  caCertificatePath: '/usr/share/filebeat/certs/ca.crt',
};
const rendered = parseYaml(renderFilebeatConfig(OPTIONS)) as Record<string, unknown>;
const inputs = rendered['filebeat.inputs'] as FilestreamInput[];

/** Filebeat's path globs (Go filepath.Match): `*` is any run of characters except `/`. */
function globMatches(glob: string, path: string): boolean {
  const pattern = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*');
  return new RegExp(`^${pattern}$`).test(path);
}
/** The inputs whose globs match a file. */
const inputsReading = (path: string) => inputs.filter((input) => input.paths.some((glob) => globMatches(glob, path)));

/** Undoes the Terraform escaping constructs apply to uploaded text (`$${` -> `${`, `%%{` -> `%{`). */
const terraformUnescape = (text: string) => text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

describe('filebeat.yml', () => {
  it('is YAML with one filestream input per service plus nginx access and error logs, each with a stable unique id', () => {
    expect(inputs.map((i) => i.type)).toEqual(inputs.map(() => 'filestream'));
    expect(inputs.map((i) => i.id)).toEqual([...SERVICES.map((s) => `${s.name}-json`), 'nginx-access-json', 'nginx-error']);
    expect(new Set(inputs.map((i) => i.id)).size).toBe(inputs.length);
  });

  it('decodes JSON lines with the ndjson parser to the event root, keeping their ECS keys', () => {
    for (const input of inputs.filter((i) => i.fields.log_type !== 'nginx_error')) {
      expect(input.parsers, input.id).toEqual([{ ndjson: { target: '', overwrite_keys: true, expand_keys: true, add_error_key: true } }]);
    }
    // nginx's error log is plain text; the pipeline's fallback parses it.
    expect(inputs.find((i) => i.id === 'nginx-error')!.parsers).toBeUndefined();
  });

  it('stamps every input with its source, type and environment for routing in Logstash', () => {
    for (const service of SERVICES) {
      expect(inputs.find((i) => i.id === `${service.name}-json`)!.fields).toEqual({ log_source: service.name, log_type: 'service', log_environment: 'dev' });
    }
    expect(inputs.filter((i) => i.fields.log_source === NGINX_LOG_SOURCE).map((i) => i.fields.log_type).sort()).toEqual(['nginx_access', 'nginx_error']);
    expect(inputs.every((i) => i.fields_under_root === false)).toBe(true);
  });

  it('keeps its registry on the data volume and ships to Logstash over TLS verified against the CA', () => {
    expect(rendered['path.data']).toBe(FILEBEAT_DATA_DIR);
    expect(String(rendered['filebeat.registry.path'])).toMatch(new RegExp(`^${FILEBEAT_DATA_DIR}/`));
    expect(rendered['output.logstash']).toMatchObject({
      hosts: ['elk-dev-logstash:5044'],
      ssl: { enabled: true, verification_mode: 'full', certificate_authorities: [OPTIONS.caCertificatePath] },
    });
    expect(Object.keys(rendered).filter((k) => k.startsWith('output.'))).toEqual(['output.logstash']);
  });

  it('serves its stats endpoint on the container\'s interfaces, where Metricbeat\'s beat module polls it', () => {
    expect(rendered['http.enabled']).toBe(true);
    expect(rendered['http.host']).toBe('0.0.0.0');
    expect(rendered['http.port']).toBe(FILEBEAT_HTTP_PORT);
  });

  it('reports the cluster UUID Stack Monitoring groups it under only when given one', () => {
    expect(rendered['monitoring.cluster_uuid']).toBeUndefined();
    const withUuid = parseYaml(renderFilebeatConfig({ ...OPTIONS, monitoringClusterUuid: '${MONITORING_CLUSTER_UUID}' })) as Record<string, unknown>;
    expect(withUuid['monitoring.cluster_uuid']).toBe('${MONITORING_CLUSTER_UUID}');
  });

  it('keeps TLS with full verification even without a CA path (the system trust store then decides)', () => {
    const { caCertificatePath: _, ...withoutCa } = OPTIONS;
    const config = parseYaml(renderFilebeatConfig(withoutCa)) as Record<string, { ssl: Record<string, unknown> }>;
    expect(config['output.logstash']!.ssl).toEqual({ enabled: true, verification_mode: 'full' });
  });

  it.each([
    [{ services: [] }, /services is empty/],
    [{ environment: 'Dev!' }, /environment "Dev!"/],
    [{ logstashHosts: [] }, /logstashHosts is empty/],
    [{ logstashHosts: ['https://logstash:5044'] }, /"https:\/\/logstash:5044" must be "host:port"/],
    [{ caCertificatePath: 'certs/ca.crt' }, /caCertificatePath "certs\/ca.crt" must be an absolute path/],
  ])('refuses bad options %o, naming the setting', (override, message) => {
    expect(() => renderFilebeatConfig({ ...OPTIONS, ...override })).toThrow(message);
  });

  it('is put at the path the Filebeat image reads', () => {
    expect(filebeatFiles(OPTIONS)).toEqual([{ path: FILEBEAT_CONFIG_PATH, content: renderFilebeatConfig(OPTIONS) }]);
  });
});

describe('Filebeat reads where the services and nginx really write', () => {
  const temporaryRoots: string[] = [];
  afterAll(async () => {
    await Promise.all(temporaryRoots.map((root) => rm(root, { recursive: true, force: true })));
  });

  it('the service logger files (current and rotated) match their service input and no other; its symlink is skipped', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pipelines-logs-'));
    temporaryRoots.push(root);
    for (const service of SERVICES) {
      const dir = join(root, service.name);
      const { logger, close } = await createServiceLogger({
        service: service.name,
        environment: 'dev',
        file: join(dir, `${service.name}-1.log`),
        stdout: false,
        fileSize: '1k',
      });
      // Rotation happens asynchronously after writes land; write until it has (bounded).
      const realFiles = async () => (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && !e.name.startsWith('.'));
      for (let i = 0; i < 5000 && (await realFiles()).length < 2; i++) {
        logger.info({ n: i }, 'filling the file until it rotates');
        await new Promise((resolve) => setImmediate(resolve));
      }
      await close();
      const written = await readdir(dir, { withFileTypes: true });
      const files = written.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => posix.join(serviceLogDir(service.name), e.name));
      expect(files.length, `${service.name} rotated files`).toBeGreaterThan(1);
      for (const file of files) expect(inputsReading(file).map((i) => i.id), file).toEqual([`${service.name}-json`]);
    }
    // Filebeat waits for a file to reach its fingerprint length: one real line must do, and the
    // window must reach past the replica's host name so replicas' files are told apart.
    // The first rotated file is full (the link may point at a just-opened, still empty one).
    const firstDir = join(root, SERVICES[0]!.name);
    const [oldest] = (await readdir(firstDir, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.\d+\.log$/.test(e.name))
      .map((e) => e.name)
      .sort((a, b) => Number(a.split('.').at(-2)) - Number(b.split('.').at(-2)));
    const firstLine = (await readFile(join(firstDir, oldest!), 'utf8')).split('\n')[0]!;
    const window = inputs.find((i) => i.id === `${SERVICES[0]!.name}-json`)!['prospector.scanner.fingerprint.length']!;
    expect(window).toBe(FINGERPRINT_LENGTH.service);
    expect(Buffer.byteLength(firstLine)).toBeGreaterThanOrEqual(window);
    const hostname = JSON.stringify((JSON.parse(firstLine) as Record<string, unknown>)['host.hostname']);
    expect(Buffer.from(firstLine).subarray(0, window).toString()).toContain(`"host.hostname":${hostname}`);
    // The logger keeps <name>.log as a symlink to the current file; Filebeat skips symlinks unless told otherwise.
    expect(inputs.every((i) => i['prospector.scanner.symlinks'] !== true)).toBe(true);
  });

  it('the platform stack sets each replica LOG_FILE into its own service input', () => {
    const config = loadEnvironmentConfig('staging');
    const stack = new PlatformStack(Testing.app(), 'staging-platform', { config });
    const containers = Object.values(
      (JSON.parse(Testing.synth(stack)) as { resource: { docker_container: Record<string, { name: string; env?: string[] }> } }).resource.docker_container,
    );
    for (const service of SERVICES) {
      const logFiles = containers
        .flatMap((c) => c.env ?? [])
        .filter((e) => e.startsWith(`LOG_FILE=${serviceLogDir(service.name)}/`))
        .map((e) => e.slice('LOG_FILE='.length));
      expect(logFiles.length, `${service.name} replicas with LOG_FILE`).toBe(config.replicas[service.name]);
      for (const file of logFiles) expect(inputsReading(file).map((i) => i.id)).toEqual([`${service.name}-json`]);
    }
  });

  it('nginx writes its JSON access log and its error log where the nginx inputs read', () => {
    const nginxConf = renderNginxConfig({ routes: [{ service: 'user-service', routePrefix: '/users', servers: ['user-service:8000'] }] });
    const accessLogs = [...nginxConf.matchAll(/^\s*access_log\s+(\/\S+)\s+(\S+);/gm)].map((m) => m[1]!);
    const errorLogs = [...nginxConf.matchAll(/^\s*error_log\s+(\/\S+)/gm)].map((m) => m[1]!);
    expect(accessLogs.length).toBeGreaterThan(0);
    expect(errorLogs.length).toBeGreaterThan(0);
    for (const path of accessLogs) expect(inputsReading(path).map((i) => i.id)).toEqual(['nginx-access-json']);
    for (const path of errorLogs) expect(inputsReading(path).map((i) => i.id)).toEqual(['nginx-error']);
    expect([...accessLogs, ...errorLogs].every((p) => p.startsWith(`${NGINX_LOG_DIR}/`) && p.startsWith(`${LOG_ROOT}/`))).toBe(true);
  });
});

describe('the synthesized containers carry these exact files', () => {
  const config = loadEnvironmentConfig('dev');
  const stack = createStacks(Testing.app(), config).ingest;
  const containers = Object.values(
    (JSON.parse(Testing.synth(stack)) as { resource: { docker_container: Record<string, { name: string; upload?: Array<{ file: string; content: string }> }> } })
      .resource.docker_container,
  );
  const uploadsOf = (suffix: string) => containers.find((c) => c.name.endsWith(suffix))!.upload ?? [];

  it('Logstash: every file of logstashFiles(), byte for byte after Terraform unescaping', () => {
    const uploads = uploadsOf('-logstash');
    for (const file of logstashFiles()) {
      const uploaded = uploads.find((u) => u.file === file.path);
      expect(uploaded, file.path).toBeDefined();
      expect(terraformUnescape(uploaded!.content)).toBe(file.content);
    }
  });

  it('Filebeat: a filebeat.yml rendered from the catalog for this environment', () => {
    const uploaded = uploadsOf('-filebeat').find((u) => u.file === FILEBEAT_CONFIG_PATH);
    expect(uploaded).toBeDefined();
    const config = parseYaml(terraformUnescape(uploaded!.content)) as Record<string, unknown>;
    expect((config['filebeat.inputs'] as FilestreamInput[]).map((i) => [i.id, i.paths, i.fields])).toEqual(inputs.map((i) => [i.id, i.paths, i.fields]));
  });
});
