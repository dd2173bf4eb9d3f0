import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeCdktfProject } from '../../support/fake-cdktf.js';
import { cleanPlanOutput, diffCommentMarker, planSummary, renderDiffReport } from '../../../tools/lifecycle/diff-report.js';
import { environmentFromArgs } from '../../../tools/lifecycle/environment.js';
import { runLifecycle, type LifecycleCommand } from '../../../tools/lifecycle/run.js';
import { deploymentOrder } from '../../../tools/lifecycle/stacks.js';

/**
 * A stand-in for the cdktf CLI: records each call (argv + PLATFORM_ENV),
 * `synth` writes a manifest with the environment's two stacks (elastic depends
 * on platform), `diff` prints a plan; deploy and diff fail for FAKE_FAIL_STACK.
 * It writes nothing else: any file the wrapper leaves behind is the wrapper's own.
 */
const FAKE_CDKTF = `
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const args = process.argv.slice(2);
const env = process.env.PLATFORM_ENV;
appendFileSync(process.env.FAKE_CDKTF_LOG, JSON.stringify({ args, env, tf: process.env.TERRAFORM_BINARY_NAME ?? null }) + '\\n');
const outdir = join(process.cwd(), args[args.indexOf('--output') + 1]);
const platform = env + '-platform';
if (args[0] === 'synth') {
  const stacks = {
    [env + '-elastic']: { name: env + '-elastic', dependencies: [platform] },
    [platform]: { name: platform, dependencies: [] },
  };
  for (const name of Object.keys(stacks)) {
    mkdirSync(join(outdir, 'stacks', name), { recursive: true });
    writeFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), JSON.stringify({}));
  }
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks }));
}
if (['deploy', 'destroy'].includes(args[0]) && process.env.FAKE_FAIL_STACK && args.includes(process.env.FAKE_FAIL_STACK)) process.exit(1);
if (args[0] === 'diff') {
  const stack = args.at(-1);
  if (stack === process.env.FAKE_FAIL_STACK) { console.error('Error: Unsupported attribute'); process.exit(1); }
  console.log('\\u001b[1m' + stack + '\\u001b[0m  Plan: 2 to add, 0 to change, 0 to destroy.');
}
`;

const project = useFakeCdktfProject('lifecycle-', FAKE_CDKTF);

function calls(): { args: string[]; env: string; tf: string | null }[] {
  try {
    return readFileSync(project.callLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

function run(command: LifecycleCommand, extra: Partial<Parameters<typeof runLifecycle>[1]> = {}) {
  return runLifecycle(command, {
    environment: 'staging',
    cdktf: [process.execPath, project.script],
    cwd: project.dir,
    env: { PATH: process.env.PATH, FAKE_CDKTF_LOG: project.callLog, ...extra.env },
    log: () => {},
    ...extra,
  });
}

describe('environment choice', () => {
  it('takes --env over PLATFORM_ENV over the default', () => {
    expect(environmentFromArgs(['--env', 'staging', '--auto-approve'], { PLATFORM_ENV: 'dev' })).toEqual({
      environment: 'staging',
      source: '--env',
      rest: ['--auto-approve'],
    });
    expect(environmentFromArgs(['--env=staging'], {}).environment).toBe('staging');
    expect(environmentFromArgs([], { PLATFORM_ENV: 'staging' })).toMatchObject({ environment: 'staging', source: 'PLATFORM_ENV' });
    expect(environmentFromArgs([], {})).toMatchObject({ environment: 'dev', source: 'default' });
    expect(() => environmentFromArgs(['--env'], {})).toThrow(/--env needs an environment name/);
  });
});

describe('stack order', () => {
  it('puts every stack after the stacks it reads outputs from', () => {
    expect(
      deploymentOrder([
        { name: 'dev-elastic', dependencies: ['dev-platform'] },
        { name: 'dev-platform', dependencies: [] },
      ]),
    ).toEqual(['dev-platform', 'dev-elastic']);
  });

  it('names a cycle and a missing dependency', () => {
    expect(() => deploymentOrder([{ name: 'a', dependencies: ['b'] }, { name: 'b', dependencies: ['a'] }])).toThrow(/cycle: a -> b -> a/);
    expect(() => deploymentOrder([{ name: 'a', dependencies: ['gone'] }])).toThrow(/a depends on gone/);
  });
});

/** Every file under the project directory except the fake CLI's own and cdktf.out. */
const leftovers = () =>
  readdirSync(project.dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => !path.startsWith('cdktf.out') && ![project.script, project.callLog].includes(join(project.dir, path)))
    .sort();

describe('runLifecycle', () => {
  it('deploys every stack in one cdktf call, dependencies first; one synth; environment handed to the app', async () => {
    expect(await run('deploy', { extraArgs: ['--auto-approve'], preflight: async () => true })).toBe(0);
    const [synth, deploy, ...more] = calls();
    expect(more).toEqual([]);
    expect(synth).toEqual({ args: ['synth', '--output', 'cdktf.out'], env: 'staging', tf: null });
    expect(deploy!.args).toEqual(['deploy', '--skip-synth', '--output', 'cdktf.out', 'staging-platform', 'staging-elastic', '--auto-approve']);
    expect(calls().every((c) => c.env === 'staging')).toBe(true);
    // The platform stack writes the CA file the elastic stack reads (local_file); the wrapper writes nothing.
    expect(leftovers()).toEqual([]);
  });

  it('reports a failed deploy', async () => {
    const env = { PATH: process.env.PATH, FAKE_CDKTF_LOG: project.callLog, FAKE_FAIL_STACK: 'staging-platform' };
    expect(await run('deploy', { env, preflight: async () => true })).toBe(1);
    expect(calls().map((c) => c.args[0])).toEqual(['synth', 'deploy']);
  });

  it('does not deploy when preflight fails', async () => {
    expect(await run('deploy', { preflight: async () => false })).toBe(1);
    expect(calls()).toEqual([]);
  });

  it('destroys in reverse order in one call, and passes TERRAFORM_BINARY_NAME through', async () => {
    expect(await run('destroy', { extraArgs: ['--auto-approve'], env: { PATH: process.env.PATH, FAKE_CDKTF_LOG: project.callLog, TERRAFORM_BINARY_NAME: 'tofu' } })).toBe(0);
    const [synth, destroy, ...more] = calls();
    expect(synth!.args[0]).toBe('synth');
    expect(more).toEqual([]);
    expect(destroy!.args).toEqual(['destroy', '--skip-synth', '--output', 'cdktf.out', 'staging-elastic', 'staging-platform', '--auto-approve']);
    expect(destroy!.tf).toBe('tofu');
    expect(leftovers()).toEqual([]);
  });

  it('runs no preflight before a destroy, and reports a failed one', async () => {
    let preflights = 0;
    const env = { PATH: process.env.PATH, FAKE_CDKTF_LOG: project.callLog, FAKE_FAIL_STACK: 'staging-elastic' };
    expect(await run('destroy', { env, preflight: async () => (preflights++, false) })).toBe(1);
    expect(preflights).toBe(0);
    expect(calls().map((c) => c.args[0])).toEqual(['synth', 'destroy']);
  });

  it('synth only synthesizes', async () => {
    expect(await run('synth')).toBe(0);
    expect(calls().map((c) => c.args[0])).toEqual(['synth']);
  });

  it('diffs each stack, keeps going after a failure, and writes one report', async () => {
    const report = join(project.dir, 'diff.md');
    const code = await run('diff', { reportFile: report, env: { PATH: process.env.PATH, FAKE_CDKTF_LOG: project.callLog, FAKE_FAIL_STACK: 'staging-platform' } });
    expect(code).toBe(1);
    expect(calls().map((c) => c.args[0])).toEqual(['synth', 'diff', 'diff']);
    expect(calls().filter((c) => c.args[0] === 'diff').map((c) => c.args.at(-1))).toEqual(['staging-platform', 'staging-elastic']);
    const text = readFileSync(report, 'utf8');
    expect(text.startsWith(diffCommentMarker('staging'))).toBe(true);
    expect(text).toContain('### staging-platform: **diff failed** (exit code 1)');
    expect(text).toContain('Error: Unsupported attribute');
    expect(text).toContain('### staging-elastic: Plan: 2 to add, 0 to change, 0 to destroy.');
    expect(text).not.toContain('\u001b[');
  });
});

describe('diff report', () => {
  it('summarizes plans and keeps code fences intact', () => {
    expect(planSummary('\u001b[1mPlan:\u001b[0m 1 to add, 2 to change, 3 to destroy.')).toBe(
      'Plan: 1 to add, 2 to change, 3 to destroy.',
    );
    expect(planSummary('No changes. Your infrastructure matches the configuration.')).toBe('No changes.');
    const body = renderDiffReport('dev', [{ stack: 'dev-platform', exitCode: 0, output: 'a ``` b\nNo changes.' }]);
    expect(body.match(/```/g)).toHaveLength(2);
    expect(body).toContain('### dev-platform: No changes.');
  });

  it("drops cdktf's progress redraws but keeps the plan", () => {
    const raw = ['\u28cb  Starting', '\u2819  Processing', '1 Stack deploying     0 Stacks done     0 Stacks waiting', 'dev-elastic  + ca = "x"', '\u001b[2K\u001b[1A\u001b[Gdev-elastic  Plan: 1 to add, 0 to change, 0 to destroy.'].join('\n');
    expect(cleanPlanOutput(raw)).toBe('dev-elastic  + ca = "x"\ndev-elastic  Plan: 1 to add, 0 to change, 0 to destroy.');
  });

  it('keeps a huge plan inside the comment size limit', () => {
    const body = renderDiffReport(
      'dev',
      ['platform', 'elastic', 'third'].map((stack) => ({ stack: `dev-${stack}`, exitCode: 0, output: 'x'.repeat(200_000) })),
    );
    expect(body.length).toBeLessThan(65_536);
  });
});
