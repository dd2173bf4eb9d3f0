import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { SERVICES, type ServiceDeclaration } from '@platform/contract';
import { ValidationError } from '../../constructs/index.js';
import { createStacks } from '../../stacks/app.js';
import type { EnvironmentConfig } from '../../stacks/config/index.js';

/** One container's memory limit (MiB). */
export interface MemoryShare {
  /** The container's name, e.g. `platform-dev-postgres`. */
  readonly component: string;
  readonly mb: number;
}

interface SynthesizedContainers {
  readonly resource?: { readonly docker_container?: Record<string, { readonly name: string; readonly memory?: number; readonly attach?: boolean }> };
}

/**
 * Memory the environment's containers may use at once (MiB), one share per container: the
 * limits the stacks really give them, read from their synthesized configuration, so no
 * construct default or heap-to-limit rule is repeated here. Builds the stacks in a throwaway
 * app (nothing is written outside a temporary directory).
 */
export function memoryBudget(config: EnvironmentConfig, services: readonly ServiceDeclaration[] = SERVICES): MemoryShare[] {
  const outdir = mkdtempSync(join(tmpdir(), 'preflight-memory-'));
  try {
    const app = new App({ outdir, skipValidation: true });
    createStacks(app, config, services);
    const stacks = app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
    return stacks.flatMap((stack) =>
      Object.values((stack.toTerraform() as SynthesizedContainers).resource?.docker_container ?? {})
        // A one-shot container (attach) has exited before the containers that start after it run.
        .filter((container) => container.attach !== true)
        .map((container) => {
        if (typeof container.memory !== 'number' || container.memory <= 0) {
          throw new ValidationError('memoryBudget', `container "${container.name}" of ${stack.node.id} has no memory limit, so the need cannot be summed`);
        }
        return { component: container.name, mb: container.memory };
      }),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function totalMb(shares: readonly MemoryShare[]): number {
  return shares.reduce((sum, share) => sum + share.mb, 0);
}
