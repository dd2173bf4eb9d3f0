import type { EnvironmentConfig } from '../../stacks/config/index.js';
import { checkDockerDaemon } from './checks/docker-daemon.js';
import { checkImages, probeRegistryOverHttps } from './checks/images.js';
import { checkMaxMapCount } from './checks/max-map-count.js';
import { checkMemory } from './checks/memory.js';
import { checkPorts } from './checks/ports.js';
import { checkElasticConnection, checkRemoteBuilds } from './checks/remote-docker.js';
import { checkTerraformBinary } from './checks/terraform-binary.js';
import type { CheckResult, PreflightHost } from './types.js';

export type { CheckResult, PreflightHost } from './types.js';

/** The real machine: process env, /proc files, HTTPS registry probes. */
export function systemHost(overrides: Partial<PreflightHost> = {}): PreflightHost {
  const timeoutMs = overrides.timeoutMs ?? 3000;
  return {
    env: process.env,
    meminfoPath: '/proc/meminfo',
    maxMapCountPath: '/proc/sys/vm/max_map_count',
    probeRegistry: (registry) => probeRegistryOverHttps(registry, timeoutMs),
    timeoutMs,
    ...overrides,
  };
}

/** Runs every check against `host` for `config`; never throws for a failed check. */
export async function runPreflight(config: EnvironmentConfig, host: PreflightHost): Promise<CheckResult[]> {
  const context = { config, host };
  const [docker, terraform, memory, maxMapCount, ports] = await Promise.all([
    checkDockerDaemon(context),
    checkTerraformBinary(context),
    checkMemory(context),
    checkMaxMapCount(context),
    checkPorts(context),
  ]);
  const images = await checkImages(context, docker.status === 'pass');
  return [docker, checkElasticConnection(context), checkRemoteBuilds(context), terraform, memory, maxMapCount, ...ports, images];
}

export function failed(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail');
}

const MARK = { pass: 'ok  ', fail: 'FAIL', skip: 'skip' } as const;

/** Human-readable report: one line per check, fixes indented under failures. */
export function formatReport(environment: string, results: readonly CheckResult[]): string {
  const lines = [`Preflight for environment "${environment}"`];
  for (const r of results) {
    lines.push(`  [${MARK[r.status]}] ${r.name}: ${r.detail}`);
    for (const fix of r.fix ?? []) lines.push(`           fix: ${fix}`);
  }
  const failures = results.filter((r) => r.status === 'fail').length;
  lines.push(failures === 0 ? 'Preflight passed.' : `Preflight failed: ${failures} check${failures === 1 ? '' : 's'} to fix before deploying.`);
  return lines.join('\n');
}
