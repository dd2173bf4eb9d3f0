import { dockerEndpoint, dockerGet, DEFAULT_DOCKER_HOST } from '../docker-api.js';
import { fail, pass, skip, type CheckContext, type CheckResult } from '../types.js';

const NAME = 'Docker daemon';

/** The Docker daemon answers `GET /_ping` with `OK` at DOCKER_HOST (or the default socket). */
export async function checkDockerDaemon({ host }: CheckContext): Promise<CheckResult> {
  const endpoint = dockerEndpoint(host.env);
  if (endpoint.kind === 'unsupported') {
    if (endpoint.url.startsWith('ssh://')) {
      return skip(NAME, `DOCKER_HOST=${endpoint.url}: ${endpoint.reason}; check it with \`docker -H ${endpoint.url} version\``);
    }
    return fail(NAME, `DOCKER_HOST=${endpoint.url}: ${endpoint.reason}`, [
      'export DOCKER_HOST=unix:///var/run/docker.sock   (or tcp://HOST:2376 with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH)',
    ]);
  }
  try {
    const res = await dockerGet(endpoint, '/_ping', host.timeoutMs);
    if (res.status === 200 && res.body.trim() === 'OK') return pass(NAME, `answers at ${endpoint.url}`);
    return fail(NAME, `${endpoint.url} answered GET /_ping with HTTP ${res.status} "${res.body.trim().slice(0, 80)}", not 200 "OK"`, [
      'check that DOCKER_HOST points at a Docker Engine (not another service), then `docker version`',
    ]);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const fixes =
      endpoint.url === DEFAULT_DOCKER_HOST && !host.env.DOCKER_HOST
        ? [
            'start Docker: `sudo systemctl start docker` (Linux) or start Docker Desktop',
            'permission denied? `sudo usermod -aG docker $USER`, then log in again',
            'Docker elsewhere (rootless, Desktop, Colima, a remote host)? export DOCKER_HOST, e.g. unix://$XDG_RUNTIME_DIR/docker.sock; the docker provider reads DOCKER_HOST, not `docker context`',
          ]
        : [`start the Docker daemon behind ${endpoint.url}, or correct DOCKER_HOST`, 'verify with `docker version`'];
    return fail(NAME, `no answer from ${endpoint.url} (${reason})`, fixes);
  }
}
