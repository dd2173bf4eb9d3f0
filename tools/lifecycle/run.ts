import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ENVIRONMENT_VARIABLE } from '../../stacks/config/index.js';
import { renderDiffReport, type StackDiff } from './diff-report.js';
import { cannotPlanMessage, missingDependencyStates } from './remote-state.js';
import { deploymentOrder, readSynthesizedStacks } from './stacks.js';

export const LIFECYCLE_COMMANDS = ['synth', 'deploy', 'diff', 'destroy', 'output'] as const;
export type LifecycleCommand = (typeof LIFECYCLE_COMMANDS)[number];

export interface LifecycleOptions {
  /** The environment; handed to the app as PLATFORM_ENV. */
  readonly environment: string;
  /** The cdktf CLI: executable and leading arguments. */
  readonly cdktf: readonly string[];
  /** Project directory (where cdktf.json is). */
  readonly cwd: string;
  /** cdktf's output directory, relative to `cwd` or absolute. Default `cdktf.out`. */
  readonly outdir?: string;
  /** Environment of the cdktf processes (TERRAFORM_BINARY_NAME, DOCKER_HOST, … pass through). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Arguments appended to each cdktf call, e.g. `--auto-approve`. */
  readonly extraArgs?: readonly string[];
  /** Runs before a deploy; a false result stops it. */
  readonly preflight?: () => Promise<boolean>;
  /** diff only: write the PR-comment markdown here. */
  readonly reportFile?: string;
  /** diff only: the commit the report says it diffed (e.g. GITHUB_SHA). */
  readonly commit?: string;
  /** Progress lines. Default: stderr. */
  readonly log?: (line: string) => void;
}

interface Run {
  readonly exitCode: number;
  readonly output: string;
}

function cdktf(options: LifecycleOptions, args: readonly string[], capture = false): Promise<Run> {
  const [command, ...leading] = options.cdktf;
  const argv = [...leading, ...args, ...(options.extraArgs ?? [])];
  (options.log ?? console.error)(`$ ${ENVIRONMENT_VARIABLE}=${options.environment} cdktf ${[...args, ...(options.extraArgs ?? [])].join(' ')}`);
  return new Promise((done, reject) => {
    const child = spawn(command!, argv, {
      cwd: options.cwd,
      env: { ...options.env, [ENVIRONMENT_VARIABLE]: options.environment },
      stdio: capture ? ['inherit', 'pipe', 'pipe'] : 'inherit',
    });
    const chunks: Buffer[] = [];
    // Tee: the user sees the plan as it comes, the report gets all of it.
    child.stdout?.on('data', (chunk: Buffer) => (chunks.push(chunk), process.stdout.write(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => (chunks.push(chunk), process.stderr.write(chunk)));
    child.on('error', reject);
    child.on('close', (code, signal) => done({ exitCode: code ?? (signal ? 128 : 1), output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/**
 * Runs one lifecycle command over every stack of the environment: synthesizes
 * once, reads the stacks the app produced, and calls cdktf in dependency
 * order (destroy in reverse). Resolves to the exit code.
 */
export async function runLifecycle(command: LifecycleCommand, options: LifecycleOptions): Promise<number> {
  const log = options.log ?? console.error;
  if (command === 'deploy' && options.preflight && !(await options.preflight())) {
    log('Deploy stopped: fix the failed preflight checks above (or pass --skip-preflight).');
    return 1;
  }
  const outdir = options.outdir ?? 'cdktf.out';
  const synth = await cdktf({ ...options, extraArgs: command === 'synth' ? options.extraArgs : [] }, ['synth', '--output', outdir]);
  if (synth.exitCode !== 0 || command === 'synth') return synth.exitCode;

  const outdirPath = resolve(options.cwd, outdir);
  const unordered = readSynthesizedStacks(outdirPath);
  const ordered = deploymentOrder(unordered);
  const synthesized = ordered.map((name) => unordered.find((s) => s.name === name)!);
  if (ordered.length === 0) {
    log(`The app synthesized no stacks for environment "${options.environment}".`);
    return 1;
  }
  const common = ['--skip-synth', '--output', outdir];

  switch (command) {
    // One cdktf call each: cdktf itself waits for a stack's dependencies (deploy) or
    // dependents (destroy); the platform stack writes the CA file the elastic stack reads.
    case 'deploy':
      return (await cdktf(options, ['deploy', ...common, ...ordered])).exitCode;
    case 'destroy':
      return (await cdktf(options, ['destroy', ...common, ...[...ordered].reverse()])).exitCode;
    case 'output':
      return (await cdktf(options, ['output', ...common, ...ordered])).exitCode;
    case 'diff': {
      // `cdktf diff` takes one stack; every stack gets its own plan, even after a failed one.
      // A stack whose dependencies have no state (or not the outputs it reads) yet is not
      // planned: its terraform_remote_state would stop the plan. It is explained instead.
      const diffs: StackDiff[] = [];
      for (const stack of synthesized) {
        const missing = missingDependencyStates(stack, synthesized, { projectDir: options.cwd, outdir: outdirPath });
        if (missing.length > 0) {
          const cannotPlan = cannotPlanMessage(stack.name, missing);
          log(cannotPlan);
          diffs.push({ stack: stack.name, cannotPlan });
          continue;
        }
        const run = await cdktf(options, ['diff', ...common, stack.name], Boolean(options.reportFile));
        diffs.push({ stack: stack.name, exitCode: run.exitCode, output: run.output });
      }
      if (options.reportFile) {
        writeFileSync(options.reportFile, renderDiffReport(options.environment, diffs, { commit: options.commit }));
        log(`Wrote the diff report to ${options.reportFile}`);
      }
      return diffs.some((d) => 'exitCode' in d && d.exitCode !== 0) ? 1 : 0;
    }
  }
}
