import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { createStacks } from '../../../stacks/app.js';
import { loadEnvironmentConfig } from '../../../stacks/config/index.js';
import { stateFileProjectPath } from '../../../stacks/state-backend.js';
import { missingDependencyStates } from '../../../tools/lifecycle/remote-state.js';
import { deploymentOrder, readSynthesizedStacks, type SynthesizedStack } from '../../../tools/lifecycle/stacks.js';
import { terraformAvailable } from '../../support/terraform.js';

/** The project directory of one test: the app synthesized into its cdktf.out, as `cdktf synth` does. */
function synthesizedProject(): { projectDir: string; outdir: string; stacks: SynthesizedStack[] } {
  const projectDir = mkdtempSync(join(tmpdir(), 'lifecycle-remote-state-'));
  const outdir = join(projectDir, 'cdktf.out');
  const app = new App({ outdir });
  createStacks(app, loadEnvironmentConfig('dev'));
  app.synth();
  const unordered = readSynthesizedStacks(outdir);
  const stacks = deploymentOrder(unordered).map((name) => unordered.find((s) => s.name === name)!);
  return { projectDir, outdir, stacks };
}

const project = synthesizedProject();
afterAll(() => rmSync(project.projectDir, { recursive: true, force: true }));

interface StackJson {
  output?: Record<string, unknown>;
  data?: { terraform_remote_state?: Record<string, unknown> };
}
const stackJson = (stack: SynthesizedStack) => JSON.parse(readFileSync(join(project.outdir, stack.synthesizedStackPath), 'utf8')) as StackJson;

/** The state Terraform leaves after deploying `stack`: every output it declares (or those `keep` allows). */
function deploy(stack: SynthesizedStack, keep: (output: string) => boolean = () => true): void {
  const outputs = Object.fromEntries(Object.keys(stackJson(stack).output ?? {}).filter(keep).map((name) => [name, { value: 'x', type: 'string' }]));
  writeFileSync(join(project.projectDir, stateFileProjectPath(stack.name)), JSON.stringify({ version: 4, serial: 1, lineage: 'test', outputs, resources: [] }));
}
const undeploy = () => project.stacks.forEach((s) => rmSync(join(project.projectDir, stateFileProjectPath(s.name)), { force: true }));
const blockers = () =>
  Object.fromEntries(project.stacks.map((s) => [s.name, missingDependencyStates(s, project.stacks, project).map((m) => m.dependency)]));

describe('which stacks of the real app can be planned', () => {
  it('nothing deployed: only dev-platform; dev-elastic waits for it, dev-ingest for both', () => {
    undeploy();
    expect(project.stacks.map((s) => s.name)).toEqual(['dev-platform', 'dev-elastic', 'dev-ingest']);
    expect(blockers()).toEqual({ 'dev-platform': [], 'dev-elastic': ['dev-platform'], 'dev-ingest': ['dev-platform', 'dev-elastic'] });
    const [elastic] = missingDependencyStates(project.stacks[1]!, project.stacks, project);
    // What it reads is named by the resource attribute behind each cdktf cross-stack output.
    expect(elastic!.reads.length).toBeGreaterThan(0);
    for (const read of elastic!.reads) expect(read).toMatch(/^[a-z_]+\.[\w-]+\.\w+$/);
    expect(elastic!.reads.some((read) => read.startsWith('random_password.'))).toBe(true);
  });

  it('each stack becomes plannable once its dependencies have state with the outputs it reads', () => {
    undeploy();
    const [platform, elastic] = project.stacks;
    deploy(platform!);
    expect(blockers()).toEqual({ 'dev-platform': [], 'dev-elastic': [], 'dev-ingest': ['dev-elastic'] });
    deploy(elastic!);
    expect(blockers()).toEqual({ 'dev-platform': [], 'dev-elastic': [], 'dev-ingest': [] });
  });

  it('a dependency state lacking one output the stack reads still blocks it', () => {
    undeploy();
    const [platform, elastic] = project.stacks;
    const dropped = Object.keys(stackJson(platform!).output ?? {}).find((name) => name.startsWith('cross-stack-output-random_password') && name.includes('provisioner'))!;
    expect(dropped).toBeDefined();
    deploy(platform!, (name) => name !== dropped);
    deploy(elastic!);
    const found = missingDependencyStates(elastic!, project.stacks, project);
    expect(found.map((m) => m.dependency)).toEqual(['dev-platform']);
    expect(found[0]!.lacking).toHaveLength(1);
    expect(found[0]!.lacking[0]).toMatch(/^random_password\..*provisioner.*\.result$/);
  });
});


/**
 * The real Terraform agrees: the synthesized remote-state blocks and every output reference
 * to them (nothing else: no provider needs downloading), planned in the stack's own working
 * directory, fail exactly where missingDependencyStates says they would.
 */
describe.runIf(terraformAvailable())('terraform plan of the remote-state reads', () => {
  function plan(stack: SynthesizedStack): { ok: boolean; output: string } {
    const json = stackJson(stack);
    const text = JSON.stringify(json);
    const references = [...new Set(text.match(/data\.terraform_remote_state\.[\w-]+\.outputs\.[\w-]+/g) ?? [])];
    // Beside cdktf.out, as deep below the project as the real working directory (whose
    // cdk.tf.json Terraform would also load), so the relative state paths resolve the same.
    const dir = join(project.projectDir, 'terraform-check', stack.workingDirectory);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({
        // Only the remote-state reads: another data source (the elastic stack's cluster info) needs its provider.
        ...(json.data?.terraform_remote_state ? { data: { terraform_remote_state: json.data.terraform_remote_state } } : {}),
        ...(references.length > 0 ? { output: Object.fromEntries(references.map((ref, i) => [`read_${i}`, { value: `\${${ref}}`, sensitive: true }])) } : {}),
      }),
    );
    const env = { ...process.env, TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
    try {
      execFileSync('terraform', ['init', '-input=false', '-no-color', '-backend=false'], { cwd: dir, env, stdio: 'pipe' });
      const output = execFileSync('terraform', ['plan', '-input=false', '-no-color', '-refresh=true'], { cwd: dir, env, stdio: 'pipe' }).toString();
      return { ok: true, output };
    } catch (error) {
      return { ok: false, output: String((error as { stderr?: Buffer }).stderr ?? error) };
    }
  }

  it('nothing deployed, platform deployed, a lacking output, all deployed', { timeout: 60_000 }, () => {
    const [platform, elastic, ingest] = project.stacks;
    const scenarios: [string, () => void][] = [
      ['nothing deployed', () => undeploy()],
      ['platform deployed', () => (undeploy(), deploy(platform!))],
      ['platform lacks an output elastic reads', () => (undeploy(), deploy(platform!, (name) => !name.includes('provisioner')), deploy(elastic!))],
      ['all deployed', () => (undeploy(), deploy(platform!), deploy(elastic!))],
    ];
    for (const [scenario, setUp] of scenarios) {
      setUp();
      for (const stack of [platform!, elastic!, ingest!]) {
        const blocked = missingDependencyStates(stack, project.stacks, project).length > 0;
        const result = plan(stack);
        expect({ scenario, stack: stack.name, plans: result.ok }, result.output).toEqual({ scenario, stack: stack.name, plans: !blocked });
      }
    }
  });
});
