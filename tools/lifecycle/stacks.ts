import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A synthesized stack as cdktf's manifest.json lists it. */
export interface SynthesizedStack {
  readonly name: string;
  /** Stacks this one reads outputs from (cross-stack references). */
  readonly dependencies: readonly string[];
  /** Where cdktf runs Terraform for it, relative to the output directory (`stacks/<name>`). */
  readonly workingDirectory: string;
  /** Its Terraform JSON, relative to the output directory (`stacks/<name>/cdk.tf.json`). */
  readonly synthesizedStackPath: string;
}

interface Manifest {
  readonly stacks?: Record<
    string,
    { readonly name?: string; readonly dependencies?: readonly string[]; readonly workingDirectory?: string; readonly synthesizedStackPath?: string }
  >;
}

/**
 * Stacks of the last synth, read from `<outdir>/manifest.json`. The manifest
 * is what the app really produced, so no stack name is typed here.
 */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const path = join(outdir, 'manifest.json');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (error) {
    throw new Error(`cannot read ${path} (${(error as Error).message}); did \`cdktf synth\` succeed?`);
  }
  return Object.entries(manifest.stacks ?? {}).map(([key, stack]) => {
    const name = stack.name ?? key;
    const workingDirectory = stack.workingDirectory ?? join('stacks', name);
    return {
      name,
      dependencies: stack.dependencies ?? [],
      workingDirectory,
      synthesizedStackPath: stack.synthesizedStackPath ?? join(workingDirectory, 'cdk.tf.json'),
    };
  });
}

/**
 * Stack names so that every stack comes after the stacks it depends on
 * (`<env>-platform` before `<env>-elastic`); ties keep name order, so the result is stable.
 */
export function deploymentOrder(stacks: readonly Pick<SynthesizedStack, 'name' | 'dependencies'>[]): string[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: readonly string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`stacks depend on each other in a cycle: ${[...path, name].join(' -> ')}`);
    const stack = byName.get(name);
    if (!stack) throw new Error(`stack ${path.at(-1)} depends on ${name}, which the app did not synthesize`);
    state.set(name, 'visiting');
    for (const dependency of [...stack.dependencies].sort()) visit(dependency, [...path, name]);
    state.set(name, 'done');
    ordered.push(name);
  };
  for (const name of [...byName.keys()].sort()) visit(name, []);
  return ordered;
}
