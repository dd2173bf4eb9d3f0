import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { stateFileProjectPath } from '../../stacks/state-backend.js';
import type { SynthesizedStack } from './stacks.js';

/**
 * A dependency whose state a stack's `terraform_remote_state` cannot read yet, so
 * `terraform plan` of that stack would stop ("Unable to find remote state", or
 * "Unsupported attribute" for an output the dependency's state does not hold).
 */
export interface MissingDependencyState {
  /** The stack that writes the state (or the state file's path, if no synthesized stack does). */
  readonly dependency: string;
  /** The state file, relative to the project directory. */
  readonly stateFile: string;
  /** What the stack reads from the dependency's outputs (the Terraform addresses behind them). */
  readonly reads: readonly string[];
  /**
   * The state file exists but lacks these of them (a deploy that did not finish, a destroy,
   * or outputs this change adds); empty when there is no state file at all.
   */
  readonly lacking: readonly string[];
}

interface StackJson {
  readonly data?: { readonly terraform_remote_state?: Record<string, { readonly backend?: string; readonly config?: { readonly path?: string } }> };
  readonly output?: Record<string, { readonly value?: unknown }>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * The dependencies `stack` cannot be planned without: each local `terraform_remote_state` of
 * its synthesized JSON whose state file is missing, or lacks an output the stack references
 * (Terraform 1.11 then stops with "Unable to find remote state" or "Unsupported attribute";
 * a plan writes no state file). Only local backends are looked at (the project's,
 * stacks/state-backend.ts); a state file that cannot be parsed is left for Terraform to report.
 */
export function missingDependencyStates(
  stack: SynthesizedStack,
  stacks: readonly SynthesizedStack[],
  paths: { readonly projectDir: string; readonly outdir: string },
): MissingDependencyState[] {
  const text = readFileSync(resolve(paths.outdir, stack.synthesizedStackPath), 'utf8');
  const json = JSON.parse(text) as StackJson;
  const missing: MissingDependencyState[] = [];
  for (const [id, remote] of Object.entries(json.data?.terraform_remote_state ?? {})) {
    if (remote.backend !== 'local' || !remote.config?.path) continue;
    // Terraform resolves the path from the stack's working directory, where cdktf runs it.
    const statePath = resolve(paths.outdir, stack.workingDirectory, remote.config.path);
    const writer = stacks.find((s) => resolve(paths.projectDir, stateFileProjectPath(s.name)) === statePath);
    const outputs = [...new Set([...text.matchAll(new RegExp(`data\\.terraform_remote_state\\.${escapeRegExp(id)}\\.outputs\\.([\\w-]+)`, 'g'))].map((m) => m[1]!))];
    const exists = existsSync(statePath);
    const held = exists ? readJson<{ outputs?: Record<string, unknown> }>(statePath) : undefined;
    if (exists && held === undefined) continue;
    const lacking = exists ? outputs.filter((name) => !(name in (held!.outputs ?? {}))) : [];
    if (exists && lacking.length === 0) continue;
    const writerJson = writer && readJson<StackJson>(resolve(paths.outdir, writer.synthesizedStackPath));
    missing.push({
      dependency: writer?.name ?? relative(paths.projectDir, statePath),
      stateFile: relative(paths.projectDir, statePath),
      reads: outputs.map((name) => describeOutput(name, writerJson)),
      lacking: lacking.map((name) => describeOutput(name, writerJson)),
    });
  }
  // Dependencies in the order `stacks` lists them (run.ts passes deployment order).
  const rank = (m: MissingDependencyState) => stacks.findIndex((s) => s.name === m.dependency);
  return missing.sort((a, b) => rank(a) - rank(b));
}

/** cdktf's cross-stack outputs are named after a hash; the reference they hold says what they are. */
function describeOutput(name: string, writer: StackJson | undefined): string {
  const value = writer?.output?.[name]?.value;
  const reference = typeof value === 'string' ? /^\$\{([^${}]+)\}$/.exec(value) : null;
  return reference ? reference[1]! : name;
}

/**
 * "<stack> cannot be planned before <dependency> is deployed: it reads <what> from that
 * stack's outputs; after the first deploy the diff shows it", one sentence per dependency.
 */
export function cannotPlanMessage(stack: string, missing: readonly MissingDependencyState[]): string {
  return missing
    .map((m) => {
      const state =
        m.lacking.length > 0
          ? ` (${m.stateFile} exists but lacks ${m.lacking.join(', ')}: a deploy that did not finish, a destroy, or outputs this change adds)`
          : '';
      const after = m.lacking.length > 0 ? `after ${m.dependency} is deployed the diff shows it` : 'after the first deploy the diff shows it';
      return `${stack} cannot be planned before ${m.dependency} is deployed: it reads ${m.reads.length > 0 ? m.reads.join(', ') : 'its state'} from that stack's outputs${state}; ${after}.`;
    })
    .join('\n');
}
