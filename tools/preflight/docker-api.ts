import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { hostname, networkInterfaces, userInfo } from 'node:os';
import { join } from 'node:path';

/** Which setting chose the Docker endpoint, as the docker provider reads them. */
export type EndpointSource = { readonly setting: 'DOCKER_CONTEXT'; readonly context: string } | { readonly setting: 'DOCKER_HOST' } | { readonly setting: 'default' };

/** Where the Docker Engine API is reached: the endpoint the docker provider will use. */
export type DockerEndpoint = (
  | { readonly kind: 'socket'; readonly url: string; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly url: string; readonly host: string; readonly port: number; readonly tls?: TlsFiles }
  | { readonly kind: 'ssh'; readonly url: string; readonly host: string }
  | { readonly kind: 'unsupported'; readonly url: string; readonly reason: string }
) & { readonly source: EndpointSource };

interface TlsFiles {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

type Env = Readonly<Record<string, string | undefined>>;

/** "DOCKER_CONTEXT=remote (tcp://…)", "DOCKER_HOST=tcp://…" or "the default socket …", for messages. */
export function describeEndpoint(endpoint: DockerEndpoint): string {
  switch (endpoint.source.setting) {
    case 'DOCKER_CONTEXT':
      return `DOCKER_CONTEXT=${endpoint.source.context} (${endpoint.url || 'no endpoint'})`;
    case 'DOCKER_HOST':
      return `DOCKER_HOST=${endpoint.url}`;
    case 'default':
      return `the default socket ${endpoint.url}`;
  }
}

/**
 * The endpoint the docker provider (kreuzwerker/docker v3.6.2) connects to: DOCKER_CONTEXT,
 * when set, names a context whose docker endpoint overrides DOCKER_HOST; else DOCKER_HOST;
 * else the local socket (internal/provider/provider.go L43-62, L188-204). The provider does
 * NOT read the current context chosen by `docker context use` (~/.docker/config.json).
 * `homeDir` is where it looks for contexts: the account's home directory (Go's
 * user.Current().HomeDir, from the password database, not $HOME).
 */
export function dockerEndpoint(env: Env, homeDir: string = userInfo().homedir): DockerEndpoint {
  const contextName = env.DOCKER_CONTEXT?.trim();
  if (contextName) {
    const source = { setting: 'DOCKER_CONTEXT', context: contextName } as const;
    const found = contextHost(contextName, homeDir);
    if ('error' in found) return { kind: 'unsupported', url: '', reason: found.error, source };
    return parseHost(found.host, env, source);
  }
  const fromEnv = env.DOCKER_HOST?.trim();
  return parseHost(fromEnv || DEFAULT_DOCKER_HOST, env, fromEnv ? { setting: 'DOCKER_HOST' } : { setting: 'default' });
}

/**
 * The docker endpoint of context `name`, looked up as the provider's getContextHost does
 * (provider.go L257-293): every <home>/.docker/contexts/meta/<dir>/meta.json whose "Name" is
 * `name` (the docker CLI names <dir> by the SHA-256 of the name; the provider scans them all),
 * its Endpoints.docker.Host. The CLI's built-in "default" context has no meta.json, so the
 * provider does not find it.
 */
export function contextHost(name: string, homeDir: string = userInfo().homedir): { readonly host: string } | { readonly error: string } {
  const metaDir = join(homeDir, '.docker', 'contexts', 'meta');
  let entries: string[];
  try {
    entries = readdirSync(metaDir);
  } catch (error) {
    return { error: `the docker provider cannot read ${metaDir} to find context "${name}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  for (const entry of entries) {
    try {
      const meta = JSON.parse(readFileSync(join(metaDir, entry, 'meta.json'), 'utf8')) as { Name?: unknown; Endpoints?: Record<string, { Host?: unknown }> };
      const host = meta.Endpoints?.docker?.Host;
      if (meta.Name === name && meta.Endpoints?.docker) return { host: typeof host === 'string' ? host : '' };
    } catch {
      // The provider skips unreadable and malformed entries too.
    }
  }
  const builtIn = name === 'default' ? ': "default" is the docker CLI\'s built-in context, which is not stored there' : '';
  return { error: `no context named "${name}" in ${metaDir}${builtIn} (the docker provider would stop with "context '${name}' not found")` };
}

/**
 * Parses a Docker host URL. TLS follows the provider, not the docker CLI: the provider
 * (config.go NewClient L85-139) uses ca.pem/cert.pem/key.pem from DOCKER_CERT_PATH when that is
 * set and ignores DOCKER_TLS_VERIFY (the CLI's default of ~/.docker does not apply).
 */
function parseHost(url: string, env: Env, source: EndpointSource): DockerEndpoint {
  if (url.startsWith('unix://')) return { kind: 'socket', url, socketPath: url.slice('unix://'.length), source };
  if (url.startsWith('npipe://')) {
    // npipe:////./pipe/docker_engine -> \\.\pipe\docker_engine
    return { kind: 'socket', url, socketPath: url.slice('npipe://'.length).replace(/\//g, '\\'), source };
  }
  const tcp = /^(?:tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (tcp) {
    const certPath = env.DOCKER_CERT_PATH?.trim();
    const port = tcp[2] ? Number(tcp[2]) : certPath ? 2376 : 2375;
    const host = tcp[1]!.replace(/^\[|\]$/g, '');
    if (!certPath) {
      if (env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0') {
        return {
          kind: 'unsupported',
          url,
          reason: 'DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH is not: the docker provider ignores DOCKER_TLS_VERIFY and would connect without TLS; set DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem',
          source,
        };
      }
      return { kind: 'tcp', url, host, port, source };
    }
    try {
      const tls = { ca: readFileSync(join(certPath, 'ca.pem')), cert: readFileSync(join(certPath, 'cert.pem')), key: readFileSync(join(certPath, 'key.pem')) };
      return { kind: 'tcp', url, host, port, tls, source };
    } catch (error) {
      return { kind: 'unsupported', url, reason: `the client certificates in DOCKER_CERT_PATH=${certPath} cannot be read (${(error as Error).message})`, source };
    }
  }
  if (url.startsWith('ssh://')) {
    let host = '';
    try {
      host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    } catch {
      // reported below
    }
    if (host) return { kind: 'ssh', url, host, source };
  }
  return { kind: 'unsupported', url, reason: 'a Docker host must be unix://, npipe://, tcp://HOST[:PORT] or ssh://[USER@]HOST', source };
}

const LOOPBACK_NAMES = new Set(['localhost', '::1']);

/** True for an address or name that is this machine: loopback, its host name, one of its interfaces' addresses. */
export function isThisMachine(host: string): boolean {
  const name = host.toLowerCase();
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost') || /^127\./.test(name)) return true;
  if (name === hostname().toLowerCase()) return true;
  return Object.values(networkInterfaces()).some((addresses) => addresses?.some((a) => a.address.toLowerCase() === name));
}

/**
 * The Docker host runs elsewhere (tcp or ssh to another machine): its memory, kernel
 * settings and ports are not this machine's, so preflight cannot read them here; and the
 * ports it publishes are on that machine. Unix sockets and named pipes are local.
 */
export function remoteDockerHost(endpoint: DockerEndpoint): string | undefined {
  if (endpoint.kind !== 'tcp' && endpoint.kind !== 'ssh') return undefined;
  return isThisMachine(endpoint.host) ? undefined : endpoint.host;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

/** One `GET` against the Docker Engine API; rejects on connection errors and after `timeoutMs`. */
export function dockerGet(endpoint: DockerEndpoint, path: string, timeoutMs: number): Promise<ApiResponse> {
  if (endpoint.kind === 'unsupported') return Promise.reject(new Error(endpoint.reason));
  if (endpoint.kind === 'ssh') return Promise.reject(new Error(`preflight cannot open ssh:// Docker hosts itself; check with \`docker -H ${endpoint.url} version\``));
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
