import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '@platform/contract';
import { createStacks } from '../stacks/app.js';
import { ENVIRONMENTS, loadEnvironmentConfig } from '../stacks/config/index.js';
import { memoryBudget, totalMb } from '../tools/preflight/memory-budget.js';

// Preflight's memory need is computed from the config without synthesizing; this
// holds it to the memory limits the platform stack really gives its containers.
describe('preflight memory need', () => {
  it.each(Object.keys(ENVIRONMENTS))('equals the sum of the container memory limits in %s', (environment) => {
    const config = loadEnvironmentConfig(environment);
    // Every container on the host: the platform stack's and the ingest stack's shippers.
    const { platform, ingest } = createStacks(Testing.app(), config, SERVICES);
    const containersOf = (stack: Parameters<typeof Testing.synth>[0]) =>
      Object.values((JSON.parse(Testing.synth(stack)) as { resource: { docker_container: Record<string, { name: string; memory?: number }> } }).resource.docker_container);
    const limits = [...containersOf(platform), ...containersOf(ingest)].map((c) => {
      expect(c.memory, `memory limit of ${c.name}`).toBeGreaterThan(0);
      return c.memory!;
    });
    expect(totalMb(memoryBudget(config, SERVICES))).toBe(limits.reduce((sum, mb) => sum + mb, 0));
  });
});
