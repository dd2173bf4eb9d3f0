import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the Docker Engine API is reached, as the docker provider and CLI read it from DOCKER_HOST. */
export type DockerEndpoint =
  | { readonly kind: 'socket'; readonly url: string; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly url: string; readonly host: string; readonly port: number; readonly tls?: TlsFiles }
  | { readonly kind: 'unsupported'; readonly url: string; readonly reason: string };

interface TlsFiles {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/**
 * Reads DOCKER_HOST (default: the local unix socket). TLS (DOCKER_TLS_VERIFY)
 * uses ca.pem/cert.pem/key.pem from DOCKER_CERT_PATH or ~/.docker, as the Docker CLI does.
 */
export function dockerEndpoint(env: Readonly<Record<string, string | undefined>>): DockerEndpoint {
  const url = env.DOCKER_HOST?.trim() || DEFAULT_DOCKER_HOST;
  if (url.startsWith('unix://')) return { kind: 'socket', url, socketPath: url.slice('unix://'.length) };
  if (url.startsWith('npipe://')) {
    // npipe:////./pipe/docker_engine -> \\.\pipe\docker_engine
    return { kind: 'socket', url, socketPath: url.slice('npipe://'.length).replace(/\//g, '\\') };
  }
  const tcp = /^(?:tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (tcp) {
    const useTls = Boolean(env.DOCKER_TLS_VERIFY) && env.DOCKER_TLS_VERIFY !== '0';
    const port = tcp[2] ? Number(tcp[2]) : useTls ? 2376 : 2375;
    const host = tcp[1]!.replace(/^\[|\]$/g, '');
    if (!useTls) return { kind: 'tcp', url, host, port };
    const dir = env.DOCKER_CERT_PATH || join(env.HOME || homedir(), '.docker');
    try {
      const tls = { ca: readFileSync(join(dir, 'ca.pem')), cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
      return { kind: 'tcp', url, host, port, tls };
    } catch (error) {
      return { kind: 'unsupported', url, reason: `DOCKER_TLS_VERIFY is set but the client certificates in ${dir} cannot be read (${(error as Error).message})` };
    }
  }
  if (url.startsWith('ssh://')) {
    return { kind: 'unsupported', url, reason: 'preflight cannot open ssh:// Docker hosts itself' };
  }
  return { kind: 'unsupported', url, reason: 'DOCKER_HOST must start with unix://, npipe://, tcp:// or ssh://' };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * The Docker host runs elsewhere (tcp to another machine, ssh): its memory,
 * kernel settings and ports are not this machine's, so preflight cannot read them here.
 */
export function remoteDockerHost(endpoint: DockerEndpoint): string | undefined {
  if (endpoint.kind === 'socket') return undefined;
  if (endpoint.kind === 'tcp') return LOOPBACK.has(endpoint.host) ? undefined : endpoint.host;
  return endpoint.url.startsWith('ssh://') ? endpoint.url : undefined;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

/** One `GET` against the Docker Engine API; rejects on connection errors and after `timeoutMs`. */
export function dockerGet(endpoint: DockerEndpoint, path: string, timeoutMs: number): Promise<ApiResponse> {
  if (endpoint.kind === 'unsupported') return Promise.reject(new Error(endpoint.reason));
  return new Promise((resolve, reject) => {
    const common = { method: 'GET', path, timeout: timeoutMs, headers: { Host: 'docker' } };
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const req =
      endpoint.kind === 'socket'
        ? http.request({ ...common, socketPath: endpoint.socketPath }, onResponse)
        : endpoint.tls
          ? https.request({ ...common, host: endpoint.host, port: endpoint.port, ...endpoint.tls }, onResponse)
          : http.request({ ...common, host: endpoint.host, port: endpoint.port }, onResponse);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
