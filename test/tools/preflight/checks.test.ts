import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig, resolveEnvironmentConfig } from '../../../stacks/config/index.js';
import { checkDockerDaemon } from '../../../tools/preflight/checks/docker-daemon.js';
import { checkImages, registryOf } from '../../../tools/preflight/checks/images.js';
import { checkMaxMapCount } from '../../../tools/preflight/checks/max-map-count.js';
import { checkMemory } from '../../../tools/preflight/checks/memory.js';
import { checkPorts } from '../../../tools/preflight/checks/ports.js';
import { checkTerraformBinary, parseVersionOutput } from '../../../tools/preflight/checks/terraform-binary.js';
import { memoryBudget, totalMb } from '../../../tools/preflight/memory-budget.js';
import { failed, formatReport, runPreflight } from '../../../tools/preflight/preflight.js';
import type { PreflightHost } from '../../../tools/preflight/types.js';

let dir: string;
const servers: (http.Server | net.Server)[] = [];
const clientSockets: net.Socket[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'preflight-'));
});
afterEach(async () => {
  clientSockets.splice(0).forEach((socket) => socket.destroy());
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

const dev = loadEnvironmentConfig('dev');

function meminfo(availableMb: number): string {
  const path = join(dir, `meminfo-${availableMb}`);
  writeFileSync(path, `MemTotal:       ${availableMb * 2048} kB\nMemFree:         1000 kB\nMemAvailable:   ${availableMb * 1024} kB\n`);
  return path;
}

function maxMapCount(value: string): string {
  const path = join(dir, `max_map_count-${value}`);
  writeFileSync(path, `${value}\n`);
  return path;
}

function host(overrides: Partial<PreflightHost> = {}): PreflightHost {
  return {
    env: { PATH: '' },
    meminfoPath: meminfo(64 * 1024),
    maxMapCountPath: maxMapCount('262144'),
    probeRegistry: async () => ({ reachable: true }),
    timeoutMs: 500,
    ...overrides,
  };
}

interface FakeDocker {
  images?: readonly string[];
  containers?: readonly unknown[];
}

/** A tiny Docker Engine API on a unix socket: /_ping, /images/<name>/json, /containers/json. */
async function fakeDockerSocket({ images = [], containers = [] }: FakeDocker = {}): Promise<string> {
  const socketPath = join(dir, `docker-${servers.length}.sock`);
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/_ping') return void res.end('OK');
    if (url === '/containers/json') return void res.end(JSON.stringify(containers));
    const image = /^\/images\/(.+)\/json$/.exec(url)?.[1];
    if (image && images.includes(image)) return void res.end(JSON.stringify({ Id: 'sha256:0' }));
    res.statusCode = 404;
    res.end(JSON.stringify({ message: `No such image: ${image}` }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return `unix://${socketPath}`;
}

/** A unix socket that accepts connections and never answers. */
async function silentSocket(): Promise<string> {
  const socketPath = join(dir, 'silent.sock');
  const server = net.createServer((socket) => clientSockets.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return `unix://${socketPath}`;
}

function fakeBinary(name: string, versionLine: string): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  writeFileSync(join(bin, name), `#!/bin/sh\necho "${versionLine}"\necho "on linux_amd64"\n`, { mode: 0o755 });
  return bin;
}

async function occupiedPort(): Promise<number> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return (server.address() as net.AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Docker daemon check', () => {
  it('passes when GET /_ping on the socket answers OK', async () => {
    const result = await checkDockerDaemon({ config: dev, host: host({ env: { DOCKER_HOST: await fakeDockerSocket() } }) });
    expect(result).toMatchObject({ status: 'pass' });
  });

  it('fails with the fix when nothing listens on the socket', async () => {
    const result = await checkDockerDaemon({ config: dev, host: host({ env: { DOCKER_HOST: `unix://${join(dir, 'missing.sock')}` } }) });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('ENOENT');
    expect(result.fix?.join('\n')).toMatch(/DOCKER_HOST/);
  });

  it('fails when the socket accepts but never answers', async () => {
    const result = await checkDockerDaemon({ config: dev, host: host({ env: { DOCKER_HOST: await silentSocket() }, timeoutMs: 200 }) });
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/no answer/);
  });

  it('fails when something other than Docker answers on tcp', async () => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 404;
      res.end('not docker');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const { port } = server.address() as net.AddressInfo;
    const result = await checkDockerDaemon({ config: dev, host: host({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } }) });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('HTTP 404');
  });

  it('refuses a DOCKER_HOST scheme it does not know', async () => {
    const result = await checkDockerDaemon({ config: dev, host: host({ env: { DOCKER_HOST: 'docker.example:2375' } }) });
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/unix:\/\/, npipe:\/\/, tcp:\/\/HOST\[:PORT\] or ssh:\/\/\[USER@\]HOST/);
  });
});

describe('Terraform CLI check', () => {
  it('passes for a supported terraform on PATH', async () => {
    const result = await checkTerraformBinary({ config: dev, host: host({ env: { PATH: fakeBinary('terraform', 'Terraform v1.9.8') } }) });
    expect(result).toMatchObject({ status: 'pass' });
    expect(result.detail).toContain('Terraform 1.9.8');
  });

  it('fails for a terraform older than 1.5', async () => {
    const result = await checkTerraformBinary({ config: dev, host: host({ env: { PATH: fakeBinary('terraform', 'Terraform v1.4.6') } }) });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('1.4.6 ');
    expect(result.detail).toContain('1.5.0');
  });

  it('fails when terraform is not on PATH, and points at tofu when that is installed', async () => {
    const result = await checkTerraformBinary({ config: dev, host: host({ env: { PATH: fakeBinary('tofu', 'OpenTofu v1.8.2') } }) });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('`terraform` is not on PATH');
    expect(result.fix?.[0]).toContain('export TERRAFORM_BINARY_NAME=tofu');
  });

  it('uses TERRAFORM_BINARY_NAME and holds OpenTofu to 1.6', async () => {
    const old = await checkTerraformBinary({
      config: dev,
      host: host({ env: { TERRAFORM_BINARY_NAME: 'tofu', PATH: fakeBinary('tofu', 'OpenTofu v1.5.9') } }),
    });
    expect(old.status).toBe('fail');
    expect(old.detail).toContain('OpenTofu 1.5.9');
    const current = await checkTerraformBinary({
      config: dev,
      host: host({ env: { TERRAFORM_BINARY_NAME: 'tofu', PATH: fakeBinary('tofu', 'OpenTofu v1.8.2') } }),
    });
    expect(current.status).toBe('pass');
  });

  it('fails when the binary prints no version', async () => {
    const result = await checkTerraformBinary({ config: dev, host: host({ env: { PATH: fakeBinary('terraform', 'hello') } }) });
    expect(result.status).toBe('fail');
  });

  it('parses terraform and tofu -version output', () => {
    expect(parseVersionOutput('Terraform v1.11.4\non linux_amd64\n')).toEqual({ flavor: 'terraform', version: '1.11.4' });
    expect(parseVersionOutput('OpenTofu v1.10.0\non linux_arm64\n')).toEqual({ flavor: 'tofu', version: '1.10.0' });
    expect(parseVersionOutput('Version 1.2')).toBeUndefined();
  });
});

describe('memory check', () => {
  it('derives the need from the heap and memory settings', () => {
    const staging = loadEnvironmentConfig('staging');
    const devTotal = totalMb(memoryBudget(dev));
    // staging: 3 nodes x 2 x 2048 instead of 1 x 2 x 1024, Logstash +1024, Kibana +1024, two more service replicas.
    expect(totalMb(memoryBudget(staging)) - devTotal).toBe(3 * 2 * 2048 - 2 * 1024 + 1024 + 1024 + 2 * 256);
  });

  it('passes with enough MemAvailable and fails below the need, naming the settings to lower', async () => {
    const need = totalMb(memoryBudget(dev));
    expect((await checkMemory({ config: dev, host: host({ meminfoPath: meminfo(need) }) })).status).toBe('pass');
    const short = await checkMemory({ config: dev, host: host({ meminfoPath: meminfo(need - 1) }) });
    expect(short.status).toBe('fail');
    expect(short.detail).toContain(`needs up to ${need} MiB`);
    expect(short.fix?.join('\n')).toContain('elasticsearch.heapMb');
  });

  it('skips, with the need, where there is no /proc/meminfo', async () => {
    const result = await checkMemory({ config: dev, host: host({ meminfoPath: join(dir, 'absent') }) });
    expect(result.status).toBe('skip');
  });
});

describe('vm.max_map_count check', () => {
  it('fails below 262144 with the exact sysctl fix and how to persist it', async () => {
    const result = await checkMaxMapCount({ config: dev, host: host({ maxMapCountPath: maxMapCount('65530') }) });
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('sudo sysctl -w vm.max_map_count=262144');
    expect(result.fix?.join('\n')).toContain('/etc/sysctl.d/');
  });

  it('passes at 262144 and above', async () => {
    expect((await checkMaxMapCount({ config: dev, host: host({ maxMapCountPath: maxMapCount('262144') }) })).status).toBe('pass');
    expect((await checkMaxMapCount({ config: dev, host: host({ maxMapCountPath: maxMapCount('1048576') }) })).status).toBe('pass');
  });
});

describe('published ports check', () => {
  it('fails for an occupied port, naming the setting', async () => {
    const busy = await occupiedPort();
    const config = resolveEnvironmentConfig('dev', { ports: { nginx: busy, kibana: await freePort(), elasticsearch: await freePort() } });
    const results = await checkPorts({ config, host: host({ env: { DOCKER_HOST: await fakeDockerSocket() } }) });
    const nginx = results.find((r) => r.name.includes('ports.nginx'));
    expect(nginx?.status).toBe('fail');
    expect(nginx?.fix?.join('\n')).toContain('ports.nginx');
    expect(results.filter((r) => r.status === 'pass')).toHaveLength(2);
  });

  it("accepts a port held by this environment's own container (a redeploy)", async () => {
    const busy = await occupiedPort();
    const config = resolveEnvironmentConfig('dev', { ports: { nginx: busy, kibana: await freePort(), elasticsearch: await freePort() } });
    const docker = await fakeDockerSocket({ containers: [{ Names: ['/elk-dev-nginx'], Ports: [{ PrivatePort: 8080, PublicPort: busy }] }] });
    const results = await checkPorts({ config, host: host({ env: { DOCKER_HOST: docker } }) });
    expect(results.every((r) => r.status === 'pass')).toBe(true);
    // Another environment's container on that port is a conflict.
    const other = await fakeDockerSocket({ containers: [{ Names: ['/elk-staging-nginx'], Ports: [{ PrivatePort: 8080, PublicPort: busy }] }] });
    expect((await checkPorts({ config, host: host({ env: { DOCKER_HOST: other } }) }))[0]?.status).toBe('fail');
  });

  it('fails when bindAddress is not an address of this machine', async () => {
    const config = resolveEnvironmentConfig('dev', { bindAddress: '192.0.2.10' });
    const results = await checkPorts({ config, host: host() });
    expect(results.every((r) => r.status === 'fail' && r.detail.includes('bindAddress 192.0.2.10'))).toBe(true);
  });
});

describe('images check', () => {
  it('passes when every image is present locally', async () => {
    const images = ['postgres', 'redis', 'elasticsearch', 'logstash', 'kibana', 'filebeat', 'metricbeat', 'apm-server', 'nginx', 'node', 'postgres-backup'] as const;
    const { resolveImage } = await import('../../../stacks/images.js');
    const docker = await fakeDockerSocket({ images: images.map((c) => resolveImage(dev, c)) });
    const result = await checkImages({ config: dev, host: host({ env: { DOCKER_HOST: docker }, probeRegistry: async () => ({ reachable: false, reason: 'offline' }) }) }, true);
    expect(result).toMatchObject({ status: 'pass', detail: `all ${images.length} present locally` });
  });

  it('needs no APM Server image when tracing is off', async () => {
    const config = resolveEnvironmentConfig('dev', { tracing: { enabled: false } });
    const images = ['postgres', 'redis', 'elasticsearch', 'logstash', 'kibana', 'filebeat', 'metricbeat', 'nginx', 'node', 'postgres-backup'] as const;
    const { resolveImage } = await import('../../../stacks/images.js');
    const docker = await fakeDockerSocket({ images: images.map((c) => resolveImage(config, c)) });
    const result = await checkImages({ config, host: host({ env: { DOCKER_HOST: docker }, probeRegistry: async () => ({ reachable: false, reason: 'offline' }) }) }, true);
    expect(result).toMatchObject({ status: 'pass', detail: `all ${images.length} present locally` });
  });

  it("covers the services' node base image: missing and its registry offline, it fails naming it", async () => {
    const { resolveImage } = await import('../../../stacks/images.js');
    const config = resolveEnvironmentConfig('dev', { images: { overrides: { node: 'registry.internal:5000/node:24.19.0-trixie-slim' } } });
    const present = (['postgres', 'redis', 'elasticsearch', 'logstash', 'kibana', 'filebeat', 'metricbeat', 'nginx'] as const).map((c) => resolveImage(config, c));
    const docker = await fakeDockerSocket({ images: present });
    const result = await checkImages({ config, host: host({ env: { DOCKER_HOST: docker }, probeRegistry: async () => ({ reachable: false, reason: 'ECONNREFUSED' }) }) }, true);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('node: registry.internal:5000/node:24.19.0-trixie-slim');
    expect(result.detail).toContain('registry.internal:5000 (ECONNREFUSED)');
  });

  it('fails when DOCKER_BUILDKIT would send the service builds to the legacy builder, or is no boolean', async () => {
    const docker = await fakeDockerSocket({ images: [] });
    const probe = async () => ({ reachable: true }) as const;
    for (const value of ['0', 'false', 'F']) {
      const result = await checkImages({ config: dev, host: host({ env: { DOCKER_HOST: docker, DOCKER_BUILDKIT: value }, probeRegistry: probe }) }, true);
      expect(result, value).toMatchObject({ status: 'fail', detail: expect.stringContaining('legacy builder') });
      expect(result.fix?.join('\n')).toContain('unset DOCKER_BUILDKIT');
    }
    const bogus = await checkImages({ config: dev, host: host({ env: { DOCKER_HOST: docker, DOCKER_BUILDKIT: 'yes' }, probeRegistry: probe }) }, true);
    expect(bogus).toMatchObject({ status: 'fail', detail: expect.stringContaining('not a boolean') });
    for (const value of ['1', 'true', '']) {
      const result = await checkImages({ config: dev, host: host({ env: { DOCKER_HOST: docker, DOCKER_BUILDKIT: value }, probeRegistry: probe }) }, true);
      expect(result.status, value).toBe('pass');
    }
  });

  it('passes for missing images when their registries answer, fails naming image and registry when not', async () => {
    const docker = await fakeDockerSocket({ images: [] });
    const probed: string[] = [];
    const reachable = await checkImages(
      { config: dev, host: host({ env: { DOCKER_HOST: docker }, probeRegistry: async (r) => (probed.push(r), { reachable: true }) }) },
      true,
    );
    expect(reachable.status).toBe('pass');
    expect(probed.sort()).toEqual(['docker.elastic.co', 'registry-1.docker.io']);
    const offline = await checkImages(
      { config: dev, host: host({ env: { DOCKER_HOST: docker }, probeRegistry: async (r) => ({ reachable: r !== 'docker.elastic.co', reason: 'ENOTFOUND' }) }) },
      true,
    );
    expect(offline.status).toBe('fail');
    expect(offline.detail).toContain(`docker.elastic.co/elasticsearch/elasticsearch:${dev.elasticVersion}`);
    expect(offline.detail).toContain('docker.elastic.co (ENOTFOUND)');
    expect(offline.fix?.join('\n')).toContain('images.registryMirror');
  });

  it('probes the mirror when one is configured', async () => {
    const config = resolveEnvironmentConfig('dev', { images: { registryMirror: 'mirror.internal:5000/hub' } });
    const probed = new Set<string>();
    await checkImages({ config, host: host({ env: { DOCKER_HOST: await fakeDockerSocket() }, probeRegistry: async (r) => (probed.add(r), { reachable: true }) }) }, true);
    expect([...probed]).toEqual(['mirror.internal:5000']);
  });

  it('knows Docker Hub from other registries', () => {
    expect(registryOf('nginx:1.28.0-alpine3.21')).toBe('registry-1.docker.io');
    expect(registryOf('bitnami/redis:7.4')).toBe('registry-1.docker.io');
    expect(registryOf('docker.elastic.co/kibana/kibana:9.5.3')).toBe('docker.elastic.co');
    expect(registryOf('localhost:5000/x:1')).toBe('localhost:5000');
  });
});

describe('remote Docker host', () => {
  it("does not judge the remote host's memory, kernel or ports by this machine's", async () => {
    const remote = host({ env: { DOCKER_HOST: 'tcp://docker.example:2375' }, meminfoPath: meminfo(10), maxMapCountPath: maxMapCount('65530') });
    const busy = await occupiedPort();
    const config = resolveEnvironmentConfig('dev', { ports: { nginx: busy } });
    expect((await checkMemory({ config, host: remote })).status).toBe('skip');
    const maxMap = await checkMaxMapCount({ config, host: remote });
    expect(maxMap.status).toBe('skip');
    expect(maxMap.detail).toContain('sysctl -w vm.max_map_count=262144');
    expect((await checkPorts({ config, host: remote })).map((r) => r.status)).toEqual(['skip']);
    // The same files judge a local daemon.
    const local = host({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' }, meminfoPath: meminfo(10), maxMapCountPath: maxMapCount('65530') });
    expect((await checkMaxMapCount({ config, host: local })).status).toBe('fail');
    expect((await checkPorts({ config, host: local }))[0]?.status).toBe('fail');
  });
});

describe('runPreflight', () => {
  it('passes on a host where everything is in order', async () => {
    const config = resolveEnvironmentConfig('dev', { ports: { nginx: await freePort(), kibana: await freePort(), elasticsearch: await freePort() } });
    const env = { DOCKER_HOST: await fakeDockerSocket(), PATH: fakeBinary('terraform', 'Terraform v1.11.4') };
    const results = await runPreflight(config, host({ env }));
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(failed(results)).toBe(false);
  });

  it('reports every failure with its fix', async () => {
    const env = { DOCKER_HOST: `unix://${join(dir, 'none.sock')}`, PATH: '' };
    const results = await runPreflight(dev, host({ env, maxMapCountPath: maxMapCount('65530'), meminfoPath: meminfo(100) }));
    expect(failed(results)).toBe(true);
    const report = formatReport('dev', results);
    expect(report).toMatch(/\[FAIL\] Docker daemon/);
    expect(report).toMatch(/\[FAIL\] Terraform CLI/);
    expect(report).toMatch(/\[FAIL\] Free memory/);
    expect(report).toContain('fix: sudo sysctl -w vm.max_map_count=262144');
    expect(report).toMatch(/\[skip\] Images: needs the Docker daemon/);
    expect(report).toMatch(/Preflight failed: 4 checks/);
  });
});
