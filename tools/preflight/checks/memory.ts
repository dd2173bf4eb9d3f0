import { readFile } from 'node:fs/promises';
import { memoryBudget, totalMb } from '../memory-budget.js';
import { dockerEndpoint, remoteDockerHost } from '../docker-api.js';
import { fail, pass, skip, type CheckContext, type CheckResult } from '../types.js';

const NAME = 'Free memory';

/** Reads a `Key:   12345 kB` line of /proc/meminfo, in MiB. */
export function meminfoMb(text: string, key: string): number | undefined {
  const match = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
  return match ? Math.floor(Number(match[1]) / 1024) : undefined;
}

/** MemAvailable covers what the environment's containers may use at once (see memory-budget.ts). */
export async function checkMemory({ config, host }: CheckContext): Promise<CheckResult> {
  const remote = remoteDockerHost(dockerEndpoint(host.env, host.homeDir));
  if (remote) return skip(NAME, `Docker runs on ${remote}: make sure it has ${totalMb(memoryBudget(config))} MiB available`);
  let text: string;
  try {
    text = await readFile(host.meminfoPath, 'utf8');
  } catch {
    return skip(NAME, `${host.meminfoPath} not readable (not Linux?); give Docker at least ${totalMb(memoryBudget(config))} MiB (Docker Desktop: Settings > Resources)`);
  }
  const available = meminfoMb(text, 'MemAvailable') ?? meminfoMb(text, 'MemFree');
  if (available === undefined) return skip(NAME, `${host.meminfoPath} has no MemAvailable line`);
  const shares = memoryBudget(config);
  const needed = totalMb(shares);
  const breakdown = shares.map((s) => `${s.component} ${s.mb}`).join(', ');
  if (available >= needed) return pass(NAME, `${available} MiB available, environment "${config.environment}" needs up to ${needed} MiB`);
  return fail(NAME, `${available} MiB available, environment "${config.environment}" needs up to ${needed} MiB (${breakdown})`, [
    'close other memory-hungry programs or containers (`docker stats --no-stream`)',
    `or lower the heaps in stacks/config/environments.ts for "${config.environment}": elasticsearch.heapMb (now ${config.elasticsearch.heapMb}), logstash.heapMb (now ${config.logstash.heapMb}), kibana.memoryMb (now ${config.kibana.memoryMb})`,
    'Docker Desktop / Colima: raise the VM memory (Settings > Resources, `colima start --memory N`)',
  ]);
}
