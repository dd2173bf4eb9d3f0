import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { createStacks } from '../../stacks/app.js';
import { loadEnvironmentConfig } from '../../stacks/config/index.js';
import { stateFileProjectPath } from '../../stacks/state-backend.js';

interface StackJson {
  terraform: { backend?: { local?: { path: string } } };
  data?: { terraform_remote_state?: Record<string, { backend: string; config: { path: string } }> };
}

const outdir = mkdtempSync(join(tmpdir(), 'state-files-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** A full app synth, as `cdktf synth` writes it (Testing.synth leaves out backends and remote state). */
function synthApp(environment: string): Map<string, { json: StackJson; text: string }> {
  const app = new App({ outdir: join(outdir, environment), skipValidation: false });
  const stacks = createStacks(app, loadEnvironmentConfig(environment));
  app.synth();
  return new Map(
    Object.values(stacks).map((stack) => {
      const text = readFileSync(join(outdir, environment, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8');
      return [stack.node.id, { json: JSON.parse(text) as StackJson, text }];
    }),
  );
}

describe('state files do not depend on where the checkout lives', () => {
  const stacks = synthApp('dev');
  // The stack's Terraform working directory, as cdktf runs it, relative to the project directory.
  const workingDirectory = (stack: string) => resolve('/project', 'cdktf.out', 'stacks', stack);

  it.each([...stacks.keys()])('%s keeps its state in the project directory through a relative path', (name) => {
    const path = stacks.get(name)!.json.terraform.backend?.local?.path;
    expect(path).toBeDefined();
    expect(path!.startsWith('/')).toBe(false);
    expect(resolve(workingDirectory(name), path!)).toBe(resolve('/project', stateFileProjectPath(name)));
  });

  it('reads each dependency stack from the very file that stack writes its state to', () => {
    let remoteStates = 0;
    for (const [name, { json }] of stacks) {
      for (const remote of Object.values(json.data?.terraform_remote_state ?? {})) {
        remoteStates += 1;
        expect(remote.backend).toBe('local');
        const read = resolve(workingDirectory(name), remote.config.path);
        const writers = [...stacks].filter(([other, s]) => resolve(workingDirectory(other), s.json.terraform.backend!.local!.path) === read);
        expect(writers.map(([other]) => other)).toHaveLength(1);
      }
    }
    expect(remoteStates).toBeGreaterThanOrEqual(2);
  });

  it.each([...stacks.keys()])('%s synthesizes no absolute path of this machine', (name) => {
    expect(stacks.get(name)!.text).not.toContain(process.cwd());
  });
});
