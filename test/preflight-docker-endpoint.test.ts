import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig, resolveEnvironmentConfig } from '../stacks/config/index.js';
import { checkDockerDaemon, isSameSocket } from '../tools/preflight/checks/docker-daemon.js';
import { checkPorts } from '../tools/preflight/checks/ports.js';
import { checkElasticConnection } from '../tools/preflight/checks/remote-docker.js';
import { dockerEndpoint, remoteDockerHost } from '../tools/preflight/docker-api.js';
import type { PreflightHost } from '../tools/preflight/types.js';

let home: string;
const servers: http.Server[] = [];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'preflight-docker-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(home, { recursive: true, force: true });
});

const dev = loadEnvironmentConfig('dev');

/** A context as `docker context create` stores it: meta/<sha256 of the name>/meta.json. */
function dockerContext(name: string, dockerHost: string): void {
  const dir = join(home, '.docker', 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: dockerHost, SkipTLSVerify: false } } }));
}

/** `docker context use NAME`: the CLI's config.json. */
function cliUses(name: string): void {
  mkdirSync(join(home, '.docker'), { recursive: true });
  writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: {}, currentContext: name }));
}

async function pingingSocket(name = 'docker.sock'): Promise<string> {
  const socketPath = join(home, name);
  const server = http.createServer((req, res) => void res.end(req.url === '/_ping' ? 'OK' : '[]'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return socketPath;
}

const host = (env: Record<string, string>): PreflightHost => ({
  env: { HOME: home, ...env },
  homeDir: home,
  meminfoPath: '/nonexistent',
  maxMapCountPath: '/nonexistent',
  probeRegistry: async () => ({ reachable: true }),
  timeoutMs: 500,
});

describe('the Docker endpoint is the one the docker provider uses', () => {
  it('DOCKER_CONTEXT names a context whose endpoint overrides DOCKER_HOST', async () => {
    const socket = await pingingSocket();
    dockerContext('colima', `unix://${socket}`);
    const env = { DOCKER_CONTEXT: 'colima', DOCKER_HOST: `unix://${join(home, 'elsewhere.sock')}` };
    expect(dockerEndpoint(env, home)).toMatchObject({ kind: 'socket', socketPath: socket, source: { setting: 'DOCKER_CONTEXT', context: 'colima' } });
    const result = await checkDockerDaemon({ config: dev, host: host(env) });
    expect(result).toMatchObject({ status: 'pass' });
    expect(result.detail).toContain(`DOCKER_CONTEXT=colima (unix://${socket})`);
  });

  it('finds the context by its Name, as the provider scans the meta directory', () => {
    const dir = join(home, '.docker', 'contexts', 'meta', 'not-a-hash');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'tcp://docker.example:2375' } } }));
    expect(dockerEndpoint({ DOCKER_CONTEXT: 'remote' }, home)).toMatchObject({ kind: 'tcp', host: 'docker.example', port: 2375 });
  });

  it('fails for an unknown context, and for "default", which the provider cannot find', async () => {
    dockerContext('colima', 'unix:///x.sock');
    const unknown = await checkDockerDaemon({ config: dev, host: host({ DOCKER_CONTEXT: 'nope' }) });
    expect(unknown.status).toBe('fail');
    expect(unknown.detail).toContain(`no context named "nope" in ${join(home, '.docker', 'contexts', 'meta')}`);
    expect(unknown.fix?.join('\n')).toContain('docker context ls');
    const builtIn = await checkDockerDaemon({ config: dev, host: host({ DOCKER_CONTEXT: 'default' }) });
    expect(builtIn.status).toBe('fail');
    expect(builtIn.detail).toMatch(/built-in context/);
  });

  it('`docker context use` is not read by the provider: a CLI on another context fails the check', async () => {
    await pingingSocket();
    dockerContext('remote', 'ssh://deploy@docker.example');
    cliUses('remote');
    // The provider would take the default socket; say so, with both fixes.
    const result = await checkDockerDaemon({ config: dev, host: host({}) });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('the docker CLI uses context "remote" (ssh://deploy@docker.example)');
    expect(result.detail).toContain('the default socket unix:///var/run/docker.sock');
    expect(result.fix).toEqual(['deploy there: export DOCKER_CONTEXT=remote', 'or deploy to this default endpoint and make the CLI agree: docker context use default']);
    // DOCKER_HOST wins over the current context for the CLI as well: no disagreement.
    const socket = join(home, 'docker.sock');
    expect((await checkDockerDaemon({ config: dev, host: host({ DOCKER_HOST: `unix://${socket}` }) })).status).toBe('pass');
  });

  it("a current context on the very socket the provider uses (Docker Desktop's /var/run/docker.sock link) is no disagreement", async () => {
    const socket = await pingingSocket('desktop.sock');
    symlinkSync(socket, join(home, 'docker.sock'));
    expect(isSameSocket(`unix://${socket}`, join(home, 'docker.sock'))).toBe(true);
    expect(isSameSocket(`unix://${socket}`, join(home, 'other.sock'))).toBe(false);
    expect(isSameSocket('ssh://deploy@docker.example', join(home, 'docker.sock'))).toBe(false);
  });

  it('no longer tells users that the provider ignores docker contexts', async () => {
    const result = await checkDockerDaemon({ config: dev, host: host({ DOCKER_HOST: '' }) });
    expect(result.fix?.join('\n') ?? '').not.toContain('not `docker context`');
    expect(result.fix?.join('\n') ?? '').toContain('DOCKER_CONTEXT');
  });

  it('TLS follows DOCKER_CERT_PATH, as the provider does; DOCKER_TLS_VERIFY alone is refused', () => {
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://docker.example:2376', DOCKER_TLS_VERIFY: '1' }, home)).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringContaining('the docker provider ignores DOCKER_TLS_VERIFY'),
    });
    const certs = join(home, 'certs');
    mkdirSync(certs);
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, file), 'pem');
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://docker.example', DOCKER_CERT_PATH: certs }, home)).toMatchObject({ kind: 'tcp', port: 2376, tls: {} });
  });

  it('unix sockets, loopback tcp and ssh to this machine are local; other tcp and ssh hosts are remote', () => {
    const remote = (url: string) => remoteDockerHost(dockerEndpoint({ DOCKER_HOST: url }, home));
    expect(remote('unix:///var/run/docker.sock')).toBeUndefined();
    expect(remote('npipe:////./pipe/docker_engine')).toBeUndefined();
    expect(remote('tcp://127.0.0.1:2375')).toBeUndefined();
    expect(remote('tcp://localhost:2375')).toBeUndefined();
    expect(remote('ssh://me@localhost')).toBeUndefined();
    expect(remote('tcp://192.0.2.20:2375')).toBe('192.0.2.20');
    expect(remote('ssh://deploy@docker.example:2222')).toBe('docker.example');
  });
});

describe('a remote Docker host', () => {
  const remoteEnv = { DOCKER_HOST: 'tcp://192.0.2.20:2375' };

  it('with a loopback bindAddress fails: the elastic stack here cannot reach the ports published on that host', () => {
    const result = checkElasticConnection({ config: dev, host: host(remoteEnv) });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('bindAddress 127.0.0.1 is the loopback address of 192.0.2.20');
    expect(result.detail).toContain('https://127.0.0.1:9200 (Elasticsearch) and https://127.0.0.1:5601 (Kibana)');
    expect(result.fix?.[0]).toContain('set bindAddress for "dev" in stacks/config/environments.ts to an address of 192.0.2.20');
    expect(result.fix?.[0]).toContain('the elastic stack connects to https://<that address>:9200');
  });

  it('with bindAddress 0.0.0.0 fails: the connection would use 127.0.0.1, this machine', () => {
    const config = resolveEnvironmentConfig('dev', { bindAddress: '0.0.0.0' });
    const result = checkElasticConnection({ config, host: host(remoteEnv) });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('connects to https://127.0.0.1:9200');
  });

  it("with bindAddress an address of the Docker host passes, naming what the elastic stack connects to", () => {
    const config = resolveEnvironmentConfig('dev', { bindAddress: '192.0.2.20' });
    const result = checkElasticConnection({ config, host: host(remoteEnv) });
    expect(result).toMatchObject({ status: 'pass' });
    expect(result.detail).toContain('https://192.0.2.20:9200');
  });

  it('found through DOCKER_CONTEXT is remote too: elastic connection fails, ports are skipped, not passed', async () => {
    dockerContext('lab', 'tcp://192.0.2.20:2375');
    const env = { DOCKER_CONTEXT: 'lab' };
    expect(checkElasticConnection({ config: dev, host: host(env) }).status).toBe('fail');
    const ports = await checkPorts({ config: dev, host: host(env) });
    expect(ports).toHaveLength(1);
    expect(ports[0]).toMatchObject({ status: 'skip' });
    expect(ports[0]!.detail).toContain("preflight can only probe this machine's ports");
  });

  it('a local Docker host with the loopback bindAddress passes', () => {
    expect(checkElasticConnection({ config: dev, host: host({ DOCKER_HOST: 'unix:///var/run/docker.sock' }) }).status).toBe('pass');
  });
});
