import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeCdktfProject } from '../../support/fake-cdktf.js';
import { stateFileProjectPath } from '../../../stacks/state-backend.js';
import { runLifecycle } from '../../../tools/lifecycle/run.js';

/**
 * A stand-in for the cdktf CLI. `synth` writes three stacks in the shape cdktf 0.21 gives
 * cross-stack references (a local terraform_remote_state per dependency, outputs named
 * cross-stack-output-*); `diff` records the call and prints a plan, or fails for
 * FAKE_FAIL_STACK. It never writes a state file, as a real plan does not.
 */
const FAKE_CDKTF = `
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const args = process.argv.slice(2);
const env = process.env.PLATFORM_ENV;
appendFileSync(process.env.FAKE_CDKTF_LOG, JSON.stringify(args) + '\\n');
const outdir = join(process.cwd(), args[args.indexOf('--output') + 1]);
const remote = (stack) => ({ backend: 'local', config: { path: '../../../terraform.' + stack + '.tfstate' }, workspace: '\${terraform.workspace}' });
const read = (stack, output) => '\${data.terraform_remote_state.cross-stack-reference-input-' + stack + '.outputs.' + output + '}';
if (args[0] === 'synth') {
  const p = env + '-platform', e = env + '-elastic', i = env + '-ingest';
  const json = {
    [p]: {
      output: {
        'cross-stack-output-docker_networknetwork_C8AC2FB3name': { value: '\${docker_network.network_C8AC2FB3.name}', sensitive: true },
        'cross-stack-output-random_passwordpw_1result': { value: '\${random_password.pw_1.result}', sensitive: true },
      },
    },
    [e]: {
      data: { terraform_remote_state: { ['cross-stack-reference-input-' + p]: remote(p) } },
      provider: { elasticstack: [{ elasticsearch: [{ password: read(p, 'cross-stack-output-random_passwordpw_1result') }] }] },
      output: { 'cross-stack-output-elasticstack_elasticsearch_data_streamlogs_Anname': { value: '\${elasticstack_elasticsearch_data_stream.logs_A.name}' } },
    },
    [i]: {
      data: { terraform_remote_state: { ['cross-stack-reference-input-' + p]: remote(p), ['cross-stack-reference-input-' + e]: remote(e) } },
      resource: { docker_container: { logstash: { network: read(p, 'cross-stack-output-docker_networknetwork_C8AC2FB3name'), env: [read(e, 'cross-stack-output-elasticstack_elasticsearch_data_streamlogs_Anname')] } } },
    },
  };
  const dependencies = { [p]: [], [e]: [p], [i]: [p, e] };
  const stacks = {};
  for (const [name, body] of Object.entries(json)) {
    mkdirSync(join(outdir, 'stacks', name), { recursive: true });
    writeFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(body));
    stacks[name] = { name, dependencies: dependencies[name], workingDirectory: 'stacks/' + name, synthesizedStackPath: 'stacks/' + name + '/cdk.tf.json' };
  }
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks }));
}
if (args[0] === 'diff') {
  const stack = args.at(-1);
  if (stack === process.env.FAKE_FAIL_STACK) { console.error('Error: Invalid provider configuration'); process.exit(1); }
  console.log(stack + '  Plan: 1 to add, 0 to change, 0 to destroy.');
}
`;

const project = useFakeCdktfProject('lifecycle-diff-', FAKE_CDKTF);

const plannedStacks = () =>
  readFileSync(project.callLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as string[])
    .filter((args) => args[0] === 'diff')
    .map((args) => args.at(-1));

/** Writes `stack`'s state file as Terraform does, holding `outputs`. */
function deployed(stack: string, outputs: readonly string[]): void {
  const values = Object.fromEntries(outputs.map((name) => [name, { value: 'x', type: 'string' }]));
  writeFileSync(join(project.dir, stateFileProjectPath(stack)), JSON.stringify({ version: 4, serial: 1, outputs: values, resources: [] }));
}
const PLATFORM_OUTPUTS = ['cross-stack-output-docker_networknetwork_C8AC2FB3name', 'cross-stack-output-random_passwordpw_1result'];
const ELASTIC_OUTPUTS = ['cross-stack-output-elasticstack_elasticsearch_data_streamlogs_Anname'];

async function diff(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const report = join(project.dir, 'diff.md');
  const exitCode = await runLifecycle('diff', {
    environment: 'dev',
    cdktf: [process.execPath, project.script],
    cwd: project.dir,
    env: { PATH: process.env.PATH, FAKE_CDKTF_LOG: project.callLog, ...env },
    reportFile: report,
    log: (line) => lines.push(line),
  });
  return { exitCode, terminal: lines.join('\n'), report: readFileSync(report, 'utf8') };
}

describe('npm run diff before (and after) the first deploy', () => {
  it('nothing deployed: plans the platform, explains elastic and ingest, exits 0', async () => {
    const { exitCode, terminal, report } = await diff();
    expect(exitCode).toBe(0);
    expect(plannedStacks()).toEqual(['dev-platform']);
    // cdktf's hashed cross-stack output names are shown as the resource attributes they hold.
    expect(terminal).toContain(
      "dev-elastic cannot be planned before dev-platform is deployed: it reads random_password.pw_1.result from that stack's outputs; after the first deploy the diff shows it.",
    );
    expect(terminal).toContain("dev-ingest cannot be planned before dev-platform is deployed: it reads docker_network.network_C8AC2FB3.name from that stack's outputs");
    expect(terminal).toContain("dev-ingest cannot be planned before dev-elastic is deployed: it reads elasticstack_elasticsearch_data_stream.logs_A.name from that stack's outputs");
    expect(terminal.indexOf('before dev-platform')).toBeLessThan(terminal.indexOf('dev-ingest cannot be planned before dev-elastic'));
    expect(report).toContain('### dev-platform: Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(report).toContain('### dev-elastic: not planned yet');
    expect(report).toContain('- dev-elastic cannot be planned before dev-platform is deployed');
    expect(report).toContain('### dev-ingest: not planned yet');
    expect(report).not.toMatch(/diff failed/);
  });

  it('platform deployed: plans platform and elastic, explains ingest', async () => {
    deployed('dev-platform', PLATFORM_OUTPUTS);
    const { exitCode, terminal } = await diff();
    expect(exitCode).toBe(0);
    expect(plannedStacks()).toEqual(['dev-platform', 'dev-elastic']);
    expect(terminal).toContain('dev-ingest cannot be planned before dev-elastic is deployed');
    expect(terminal).not.toContain('before dev-platform');
  });

  it('all deployed: plans every stack', async () => {
    deployed('dev-platform', PLATFORM_OUTPUTS);
    deployed('dev-elastic', ELASTIC_OUTPUTS);
    const { exitCode, terminal, report } = await diff();
    expect(exitCode).toBe(0);
    expect(plannedStacks()).toEqual(['dev-platform', 'dev-elastic', 'dev-ingest']);
    expect(terminal).not.toContain('cannot be planned');
    expect(report).not.toContain('not planned yet');
  });

  it('a state without an output the stack reads (unfinished deploy, destroy, or a new reference): explained, not planned', async () => {
    deployed('dev-platform', PLATFORM_OUTPUTS.slice(0, 1));
    deployed('dev-elastic', ELASTIC_OUTPUTS);
    const { exitCode, terminal } = await diff();
    expect(exitCode).toBe(0);
    expect(plannedStacks()).toEqual(['dev-platform', 'dev-ingest']);
    expect(terminal).toContain(
      "dev-elastic cannot be planned before dev-platform is deployed: it reads random_password.pw_1.result from that stack's outputs (terraform.dev-platform.tfstate exists but lacks random_password.pw_1.result: a deploy that did not finish, a destroy, or outputs this change adds); after dev-platform is deployed the diff shows it.",
    );
  });

  it('a failing plan still exits 1, and the other stacks are still planned or explained', async () => {
    const { exitCode, report } = await diff({ FAKE_FAIL_STACK: 'dev-platform' });
    expect(exitCode).toBe(1);
    expect(plannedStacks()).toEqual(['dev-platform']);
    expect(report).toContain('### dev-platform: **diff failed** (exit code 1)');
    expect(report).toContain('### dev-elastic: not planned yet');
  });

  it('a failing plan of a dependent stack exits 1 too', async () => {
    deployed('dev-platform', PLATFORM_OUTPUTS);
    deployed('dev-elastic', ELASTIC_OUTPUTS);
    expect((await diff({ FAKE_FAIL_STACK: 'dev-ingest' })).exitCode).toBe(1);
  });
});
