import { COMPONENTS, type Component } from '../../../stacks/config/index.js';
import { resolveImage } from '../../../stacks/images.js';
import { dockerEndpoint, dockerGet } from '../docker-api.js';
import { fail, pass, skip, type CheckContext, type CheckResult } from '../types.js';

const NAME = 'Images';

/** Registry host of an image reference, as Docker resolves it (Docker Hub for bare names). */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash === -1) return 'registry-1.docker.io';
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'registry-1.docker.io';
}

/**
 * Why the provider would not build the service images through BuildKit, if it would not.
 * kreuzwerker/docker v3.6.2 (internal/provider/docker_buildx_build.go L363-404, canUseBuildx)
 * falls back to the legacy /build endpoint when DOCKER_BUILDKIT is false, and that endpoint fails
 * on the containerd image store; a value that is not a boolean fails every build. Nothing else
 * about the image store matters: the BuildKit path works with the store on or off.
 */
export function buildkitProblem(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = env.DOCKER_BUILDKIT;
  if (value === undefined || value === '') return undefined;
  // Go's strconv.ParseBool, which the provider uses.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return undefined;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) {
    return `DOCKER_BUILDKIT=${value} makes the Docker provider build the service images with the legacy builder, which fails on the containerd image store (Docker Desktop, Engine 29+)`;
  }
  return `DOCKER_BUILDKIT=${value} is not a boolean; the Docker provider refuses to build the service images`;
}

/**
 * Every configured image (the services' `node` base image included) is present in the Docker
 * daemon, or its registry answers so Docker can pull it; and the service images will build through BuildKit.
 */
export async function checkImages(context: CheckContext, dockerAnswers: boolean): Promise<CheckResult> {
  // APM Server runs only with tracing on; an environment without it needs no APM image.
  const images = COMPONENTS.filter((component) => component !== 'apm-server' || context.config.tracing.enabled).map(
    (component): [Component, string] => [component, resolveImage(context.config, component)],
  );
  const buildkit = buildkitProblem(context.host.env);
  if (buildkit) return fail(NAME, buildkit, ['unset DOCKER_BUILDKIT (or set DOCKER_BUILDKIT=1) in the shell that runs the deploy']);
  if (!dockerAnswers) return skip(NAME, 'needs the Docker daemon (see above)');
  const endpoint = dockerEndpoint(context.host.env, context.host.homeDir);
  const missing: [Component, string][] = [];
  for (const [component, image] of images) {
    // Image names may contain "/" and ":"; the Engine API takes them verbatim in the path.
    const res = await dockerGet(endpoint, `/images/${image}/json`, context.host.timeoutMs).catch(() => undefined);
    if (res?.status !== 200) missing.push([component, image]);
  }
  if (missing.length === 0) return pass(NAME, `all ${images.length} present locally`);
  const unreachable: string[] = [];
  const registries = [...new Set(missing.map(([, image]) => registryOf(image)))];
  for (const registry of registries) {
    const probe = await context.host.probeRegistry(registry);
    if (!probe.reachable) unreachable.push(`${registry} (${probe.reason})`);
  }
  const missingList = missing.map(([component, image]) => `${component}: ${image}`).join(', ');
  if (unreachable.length === 0) {
    return pass(NAME, `${images.length - missing.length} of ${images.length} present locally; Docker will pull ${missingList} from ${registries.join(', ')}`);
  }
  return fail(NAME, `not present locally: ${missingList}; registry not reachable: ${unreachable.join(', ')}`, [
    `pull them where the registry is reachable and load them: docker save IMAGE | docker load (or \`docker pull IMAGE\` once online)`,
    `or pull through a reachable mirror: set images.registryMirror for "${context.config.environment}" in stacks/config/environments.ts`,
    'behind a proxy: configure the Docker daemon\'s proxy (https://docs.docker.com/engine/daemon/proxy/)',
  ]);
}

/** Default registry probe: HTTPS `GET /v2/`; 200 or 401 (auth required) both mean it answers. */
export async function probeRegistryOverHttps(registry: string, timeoutMs: number): Promise<{ reachable: true } | { reachable: false; reason: string }> {
  try {
    const res = await fetch(`https://${registry}/v2/`, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 200 || res.status === 401) return { reachable: true };
    return { reachable: false, reason: `HTTP ${res.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { reachable: false, reason: cause ?? (error as Error).message };
  }
}
