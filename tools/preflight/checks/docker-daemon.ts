import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { contextHost, describeEndpoint, dockerEndpoint, dockerGet, type DockerEndpoint } from '../docker-api.js';
import { fail, pass, skip, type CheckContext, type CheckResult } from '../types.js';

const NAME = 'Docker daemon';

/**
 * The context `docker context use` made current (config.json `currentContext`, in DOCKER_CONFIG
 * or ~/.docker), when neither DOCKER_CONTEXT nor DOCKER_HOST overrides it for the docker CLI.
 */
function cliCurrentContext(env: Readonly<Record<string, string | undefined>>, homeDir: string | undefined): string | undefined {
  if (env.DOCKER_CONTEXT?.trim() || env.DOCKER_HOST?.trim()) return undefined;
  const dir = env.DOCKER_CONFIG?.trim() || join(env.HOME || homeDir || '', '.docker');
  try {
    const current = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { currentContext?: unknown }).currentContext;
    return typeof current === 'string' && current !== '' && current !== 'default' ? current : undefined;
  } catch {
    return undefined;
  }
}

/** A context's `unix://` endpoint is `socketPath` itself or what it links to (Docker Desktop links /var/run/docker.sock to its own). */
export function isSameSocket(contextHostUrl: string, socketPath: string): boolean {
  if (!contextHostUrl.startsWith('unix://')) return false;
  const path = contextHostUrl.slice('unix://'.length);
  try {
    return realpathSync(path) === realpathSync(socketPath);
  } catch {
    return path === socketPath;
  }
}

/**
 * The docker CLI talks to a context the provider will not use (`docker context use` is not read
 * by the provider): a deploy would go to another daemon than `docker ps` shows. Docker Desktop's
 * own context whose socket is what /var/run/docker.sock links to is the same daemon, so no problem.
 */
function contextMismatch(endpoint: DockerEndpoint, { host }: CheckContext): CheckResult | undefined {
  const current = cliCurrentContext(host.env, host.homeDir);
  if (!current) return undefined;
  const found = contextHost(current, host.homeDir);
  if ('host' in found && endpoint.kind === 'socket' && isSameSocket(found.host, endpoint.socketPath)) return undefined;
  const there = 'host' in found ? ` (${found.host})` : '';
  return fail(NAME, `the docker CLI uses context "${current}"${there} (docker context use), but the docker provider does not read that setting and would deploy to ${describeEndpoint(endpoint)}`, [
    `deploy there: export DOCKER_CONTEXT=${current}`,
    'or deploy to this default endpoint and make the CLI agree: docker context use default',
  ]);
}

/** The Docker daemon the docker provider will use (DOCKER_CONTEXT, else DOCKER_HOST, else the default socket) answers `GET /_ping` with `OK`. */
export async function checkDockerDaemon(context: CheckContext): Promise<CheckResult> {
  const { host } = context;
  const endpoint = dockerEndpoint(host.env, host.homeDir);
  const where = describeEndpoint(endpoint);
  if (endpoint.kind === 'unsupported') {
    const fixes =
      endpoint.source.setting === 'DOCKER_CONTEXT'
        ? ['`docker context ls` lists the contexts; export DOCKER_CONTEXT=<one of them>, or unset DOCKER_CONTEXT to use DOCKER_HOST or the default socket']
        : ['export DOCKER_HOST=unix:///var/run/docker.sock   (or tcp://HOST:2376 with DOCKER_CERT_PATH, or ssh://USER@HOST)'];
    return fail(NAME, `${where}: ${endpoint.reason}`, fixes);
  }
  const mismatch = contextMismatch(endpoint, context);
  if (mismatch) return mismatch;
  if (endpoint.kind === 'ssh') {
    return skip(NAME, `${where}: preflight cannot open ssh:// Docker hosts itself; check it with \`docker -H ${endpoint.url} version\``);
  }
  try {
    const res = await dockerGet(endpoint, '/_ping', host.timeoutMs);
    if (res.status === 200 && res.body.trim() === 'OK') return pass(NAME, `answers at ${where}`);
    return fail(NAME, `${where} answered GET /_ping with HTTP ${res.status} "${res.body.trim().slice(0, 80)}", not 200 "OK"`, [
      'check that the endpoint is a Docker Engine (not another service), then `docker version`',
    ]);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const fixes =
      endpoint.source.setting === 'default'
        ? [
            'start Docker: `sudo systemctl start docker` (Linux) or start Docker Desktop',
            'permission denied? `sudo usermod -aG docker $USER`, then log in again',
            'Docker elsewhere (rootless, Desktop, Colima, a remote host)? export DOCKER_CONTEXT=<name from `docker context ls`> or DOCKER_HOST, e.g. unix://$XDG_RUNTIME_DIR/docker.sock; the docker provider reads both, but not `docker context use`',
          ]
        : [`start the Docker daemon behind ${where}, or correct ${endpoint.source.setting}`, 'verify with `docker version`'];
    return fail(NAME, `no answer from ${where} (${reason})`, fixes);
  }
}
