import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig, resolveEnvironmentConfig } from '../../../stacks/config/index.js';
import { checkDockerDaemon, isSameSocket } from '../../../tools/preflight/checks/docker-daemon.js';
import { checkPorts } from '../../../tools/preflight/checks/ports.js';
import { checkElasticConnection, checkRemoteBuilds } from '../../../tools/preflight/checks/remote-docker.js';
import { dockerEndpoint, remoteDockerHost } from '../../../tools/preflight/docker-api.js';
import type { PreflightHost } from '../../../tools/preflight/types.js';

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

/** A Docker Engine API on a unix socket: /_ping, /info (Name: the daemon's host name), /containers/json. */
async function pingingSocket(name = 'docker.sock', daemonHostName = 'docker-host'): Promise<string> {
  const socketPath = join(home, name);
  const server = http.createServer((req, res) => void res.end(req.url === '/_ping' ? 'OK' : req.url === '/info' ? JSON.stringify({ Name: daemonHostName }) : '[]'));
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

  it('ssh:// and TLS tcp:// fail the build check: provider 3.6.2 builds through a CLI without the ssh dialer or TLS', () => {
    const ssh = checkRemoteBuilds({ config: dev, host: host({ DOCKER_HOST: 'ssh://deploy@docker.example' }) });
    expect(ssh.status).toBe('fail');
    expect(ssh.detail).toContain('http://docker.example.com');
    expect(ssh.fix?.[0]).toContain('ssh -fNT -o ExitOnForwardFailure=yes -L');
    const certs = join(home, 'certs');
    mkdirSync(certs);
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, file), 'pem');
    const tls = checkRemoteBuilds({ config: dev, host: host({ DOCKER_HOST: 'tcp://docker.example:2376', DOCKER_CERT_PATH: certs }) });
    expect(tls.status).toBe('fail');
    expect(tls.detail).toContain('not the TLS settings');
    // Through a context too.
    dockerContext('over-ssh', 'ssh://deploy@docker.example');
    expect(checkRemoteBuilds({ config: dev, host: host({ DOCKER_CONTEXT: 'over-ssh' }) }).status).toBe('fail');
    expect(checkRemoteBuilds({ config: dev, host: host({ DOCKER_HOST: 'tcp://192.0.2.20:2375' }) }).status).toBe('pass');
    expect(checkRemoteBuilds({ config: dev, host: host({ DOCKER_HOST: 'unix:///var/run/docker.sock' }) }).status).toBe('pass');
  });

  it('through a forwarded unix socket: bindAddress of the remote machine is accepted, its ports are skipped with the reason', async () => {
    const socket = await pingingSocket('forwarded.sock', 'build-box');
    const config = resolveEnvironmentConfig('dev', { bindAddress: '192.0.2.20' });
    const env = { DOCKER_HOST: `unix://${socket}` };
    const connection = checkElasticConnection({ config, host: host(env) });
    expect(connection.status).toBe('pass');
    expect(connection.detail).toContain('a forwarded socket');
    const ports = await checkPorts({ config, host: host(env) });
    expect(ports.map((r) => r.status)).toEqual(['skip', 'skip', 'skip']);
    expect(ports[0]!.detail).toContain('Docker runs on "build-box"');
  });

  it('a local daemon (its host name is this machine\'s) with a foreign bindAddress still fails the ports check', async () => {
    const socket = await pingingSocket('local.sock', hostname());
    const config = resolveEnvironmentConfig('dev', { bindAddress: '192.0.2.20' });
    const ports = await checkPorts({ config, host: host({ DOCKER_HOST: `unix://${socket}` }) });
    expect(ports.every((r) => r.status === 'fail' && r.detail.includes('bindAddress 192.0.2.20 is not an address of this machine'))).toBe(true);
  });
});
