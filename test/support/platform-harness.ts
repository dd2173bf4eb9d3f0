import { Testing } from 'cdktf';
import { loadEnvironmentConfig, resolveEnvironmentConfig, type EnvironmentSettings } from '../../stacks/config/index.js';
import { createStacks } from '../../stacks/app.js';
import { PlatformStack } from '../../stacks/platform-stack.js';

/** A synthesized platform stack: the stack object and its Terraform JSON. */
export interface SynthesizedPlatform {
  readonly stack: PlatformStack;
  readonly json: string;
  readonly tf: {
    resource: Record<string, Record<string, Record<string, unknown>>>;
    output: Record<string, { value: string; sensitive?: boolean }>;
    provider: Record<string, unknown>;
  };
}

export function synthPlatform(environment: string, settings?: EnvironmentSettings): SynthesizedPlatform {
  const config = settings ? resolveEnvironmentConfig(environment, settings) : loadEnvironmentConfig(environment);
  const stack = new PlatformStack(Testing.app(), `${environment}-platform`, { config });
  const json = Testing.synth(stack);
  return { stack, json, tf: JSON.parse(json) };
}

/** The service images' content hashes change with every service edit; snapshots keep a placeholder. */
export function maskSourceHashes(json: string): string {
  return json.replace(/src-[a-f0-9]{12}/g, 'src-<hash>').replace(/"build_sha256": "[a-f0-9]{64}"/g, '"build_sha256": "<sha256 of the service sources and build settings>"');
}

export type Container = Record<string, unknown> & {
  name: string;
  env?: string[];
  healthcheck?: { test: string[] };
  memory?: number;
  ports?: { internal: number; external: number; ip: string }[];
  networks_advanced?: { name: string; aliases: string[] }[];
  upload?: { file: string; content: string }[];
  depends_on?: string[];
  mounts?: { source: string; target: string; type: string }[];
  volumes?: { volume_name: string; container_path: string }[];
  wait?: boolean;
  log_opts?: Record<string, string>;
};

export function containers(platform: SynthesizedPlatform): Record<string, Container> {
  return platform.tf.resource.docker_container as Record<string, Container>;
}

/** The container whose Docker name is `name`, with its Terraform logical id. */
export function containerNamed(platform: SynthesizedPlatform, name: string): { id: string; container: Container } {
  const found = Object.entries(containers(platform)).find(([, c]) => c.name === name);
  if (!found) throw new Error(`no container named ${name}; have: ${Object.values(containers(platform)).map((c) => c.name).join(', ')}`);
  return { id: found[0], container: found[1] };
}

/**
 * Every stack of one environment, synthesized one by one (cross-stack references stay plain
 * resource references), and `all`: their resources merged, for tests of the deployment as a
 * whole (every container, wherever its stack puts it).
 */
export function synthDeployment(environment: string, settings?: EnvironmentSettings) {
  const config = settings ? resolveEnvironmentConfig(environment, settings) : loadEnvironmentConfig(environment);
  const stacks = createStacks(Testing.app(), config);
  const tfOf = (stack: Parameters<typeof Testing.synth>[0]) => JSON.parse(Testing.synth(stack)) as SynthesizedPlatform['tf'];
  const platform = tfOf(stacks.platform);
  const elastic = tfOf(stacks.elastic);
  const ingest = tfOf(stacks.ingest);
  const resource: SynthesizedPlatform['tf']['resource'] = {};
  for (const tf of [platform, elastic, ingest]) {
    for (const [type, byId] of Object.entries(tf.resource ?? {})) resource[type] = { ...resource[type], ...byId };
  }
  return { stacks, platform, elastic, ingest, all: { stack: stacks.platform, json: '', tf: { ...platform, resource } } as SynthesizedPlatform };
}
