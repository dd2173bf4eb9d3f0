import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { createStacks } from '../../stacks/app.js';
import { platformCaProjectPath } from '../../stacks/ca-file.js';
import { ENVIRONMENTS, loadEnvironmentConfig } from '../../stacks/config/index.js';

/**
 * The elastic stack's Kibana provider block reads the platform CA from a file
 * (it takes CA files only); the platform stack writes that file (local_file).
 * Plain `cdktf deploy '*'` / `cdktf destroy '*'` work only if both stacks name
 * the same file and the writer is deployed before, and destroyed after, the reader.
 */
interface StackJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, Record<string, any>[]>;
  terraform: { required_providers: Record<string, { source: string; version: string }> };
}
interface Manifest {
  stacks: Record<string, { workingDirectory: string; synthesizedStackPath: string; dependencies: string[] }>;
}

const projects: string[] = [];
afterAll(() => projects.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Synthesizes an environment the way `cdktf synth` does, into `<project>/cdktf.out`. */
function synthProject(environment: string) {
  const project = mkdtempSync(join(tmpdir(), `ca-file-${environment}-`));
  projects.push(project);
  const outdir = join(project, 'cdktf.out');
  const app = new App({ outdir });
  createStacks(app, loadEnvironmentConfig(environment));
  app.synth();
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  const stack = (name: string) => {
    const entry = manifest.stacks[name];
    expect(entry, `stack ${name}`).toBeDefined();
    return {
      json: JSON.parse(readFileSync(join(outdir, entry!.synthesizedStackPath), 'utf8')) as StackJson,
      // Terraform runs here; `${path.root}` is this directory.
      workingDir: join(outdir, entry!.workingDirectory),
      dependencies: entry!.dependencies,
    };
  };
  return { project, platform: stack(`${environment}-platform`), elastic: stack(`${environment}-elastic`) };
}

const withRoot = (expression: string, workingDir: string) => resolve(expression.replace('${path.root}', workingDir));

/** Terraform's own value of `abspath(<path>)`, evaluated in `workingDir` (an empty configuration there). */
function terraformAbspath(path: string, workingDir: string): string {
  mkdirSync(workingDir, { recursive: true });
  const scratch = mkdtempSync(join(workingDir, '..', '.console-'));
  try {
    // Same depth as workingDir, so `${path.root}/../../..` lands in the same place.
    writeFileSync(join(scratch, 'main.tf.json'), '{}');
    const run = spawnSync('terraform', ['console'], { cwd: scratch, input: `abspath("${path}")\n`, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as string;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

describe.each(Object.keys(ENVIRONMENTS))('the platform CA file of the %s environment', (environment) => {
  const { project, platform, elastic } = synthProject(environment);
  const caFiles = Object.values(platform.json.resource.local_file ?? {});
  const kibanaCaCerts = (elastic.json.provider?.elasticstack?.[0]?.kibana?.[0]?.ca_certs ?? []) as string[];
  const expected = resolve(project, platformCaProjectPath(environment));

  it('the platform stack writes exactly the file the elastic stack reads', () => {
    expect(caFiles, 'one local_file').toHaveLength(1);
    expect(kibanaCaCerts, "one CA file for Kibana's provider block").toHaveLength(1);
    const written = withRoot(String(caFiles[0]!.filename), platform.workingDir);
    const read = withRoot(kibanaCaCerts[0]!, elastic.workingDir);
    expect(written).toBe(expected);
    expect(read).toBe(expected);
  });

  it("holds the platform CA's PEM, world-readable (a public certificate), in a 0755 directory", () => {
    const caIds = Object.keys(platform.json.resource.tls_self_signed_cert ?? {});
    expect(caIds, 'exactly one CA').toHaveLength(1);
    expect(platform.json.resource.tls_self_signed_cert![caIds[0]!]!.is_ca_certificate).toBe(true);
    expect(caFiles[0]).toMatchObject({
      content: `\${tls_self_signed_cert.${caIds[0]}.cert_pem}`,
      file_permission: '0644',
      directory_permission: '0755',
    });
    expect(caFiles[0]).not.toHaveProperty('sensitive_content');
    expect(platform.json.terraform.required_providers.local?.source).toBe('hashicorp/local');
    expect(platform.json.provider?.local).toHaveLength(1);
  });

  it('the elastic stack depends on the platform stack: deployed after it, destroyed before it', () => {
    expect(elastic.dependencies).toContain(`${environment}-platform`);
    expect(platform.dependencies).not.toContain(`${environment}-elastic`);
  });

  it.skipIf(!hasTerraform)("Terraform resolves both stacks' paths to the same project file", () => {
    expect(terraformAbspath(String(caFiles[0]!.filename), platform.workingDir)).toBe(expected);
    expect(terraformAbspath(kibanaCaCerts[0]!, elastic.workingDir)).toBe(expected);
  });
});
