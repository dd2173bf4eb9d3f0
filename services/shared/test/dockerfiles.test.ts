import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HEALTH_PATH, LOG_ROOT, SERVICES, serviceLogDir } from '@platform/contract';
import { TELEMETRY_REGISTER_MODULE } from '../src/telemetry/settings.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = 'services/Dockerfile';

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}

const text = readFileSync(join(ROOT, DOCKERFILE), 'utf8');
const all = instructions(text);
const stages = all.reduce<Instruction[][]>((acc, i) => (i.keyword === 'FROM' ? [...acc, [i]] : (acc.at(-1)?.push(i), acc)), []);
const runtime = stages.at(-1)!;
const args = (stage: Instruction[]) => stage.filter((i) => i.keyword === 'ARG').map((i) => i.args);

/** Runs a RUN line as the image's /bin/sh would, with `npm` replaced by a stub that prints the registry it got. */
const work = mkdtempSync(join(tmpdir(), 'dockerfile-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
writeFileSync(join(work, 'npm'), '#!/bin/sh\necho "registry=${npm_config_registry-<unset>}"\n');
chmodSync(join(work, 'npm'), 0o755);
function runShell(command: string, env: Record<string, string>) {
  const result = spawnSync('sh', ['-c', command], { cwd: work, env: { PATH: `${work}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
  return { status: result.status, out: result.stdout + result.stderr };
}

describe('services/Dockerfile (one for every service)', () => {
  it('has no syntax directive: the built-in frontend, no frontend image pulled from Docker Hub', () => {
    expect(text).not.toMatch(/^#\s*syntax\s*=/im);
    // Nothing that needs the dockerfile:1 frontend: no heredocs, no RUN --mount.
    expect(text).not.toMatch(/<<-?\s*['"]?[A-Z]+/);
    expect(all.filter((i) => i.keyword === 'RUN' && i.args.startsWith('--mount'))).toEqual([]);
  });

  it('takes the base image from build arg NODE_IMAGE, with no default of its own, in every stage', () => {
    const global = all.slice(0, all.findIndex((i) => i.keyword === 'FROM'));
    expect(args(global)).toEqual(['NODE_IMAGE']);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]!.args.split(/\s+/)[0]).toBe('${NODE_IMAGE}');
  });

  it('requires SERVICE: no default, and the first stage fails with a message naming it before anything else', () => {
    expect(all.some((i) => i.keyword === 'ARG' && i.args.startsWith('SERVICE='))).toBe(false);
    const first = stages[0]!;
    expect(args(first)).toContain('SERVICE');
    const firstRun = first.find((i) => i.keyword === 'RUN')!;
    expect(first.indexOf(firstRun)).toBeLessThan(first.findIndex((i) => i.keyword === 'COPY'));
    expect(runShell(firstRun.args, {})).toMatchObject({ status: 1, out: expect.stringContaining('build arg SERVICE is required') });
    expect(runShell(firstRun.args, { SERVICE: '' }).status).toBe(1);
    expect(runShell(firstRun.args, { SERVICE: 'user-service' })).toEqual({ status: 0, out: '' });
    // Every later stage depends on the first one, so the check runs in every build.
    for (const stage of stages.slice(1)) expect(stage.some((i) => i.keyword === 'COPY' && i.args.startsWith(`--from=${first[0]!.args.split(/\s+/)[2]}`))).toBe(true);
  });

  it('every npm ci uses NPM_REGISTRY through npm_config_registry when it is set, and only then', () => {
    const installs = stages.flatMap((stage) => stage.filter((i) => i.keyword === 'RUN' && i.args.includes('npm ci')).map((run) => ({ stage, run })));
    expect(installs.length).toBe(2);
    for (const { stage, run } of installs) {
      expect(args(stage)).toContain('NPM_REGISTRY');
      const command = run.args.replace(/ && npm cache clean --force$/, '');
      expect(runShell(command, { NPM_REGISTRY: 'https://npm.mirror.internal/' })).toEqual({ status: 0, out: 'registry=https://npm.mirror.internal/\n' });
      expect(runShell(command, { NPM_REGISTRY: '' })).toEqual({ status: 0, out: 'registry=<unset>\n' });
      expect(runShell(command, {})).toEqual({ status: 0, out: 'registry=<unset>\n' });
    }
  });

  it('installs only production dependencies of this workspace in the final stage', () => {
    const install = runtime.find((i) => i.keyword === 'RUN' && i.args.includes('npm ci'))!;
    expect(install.args).toContain('--omit=dev');
    expect(install.args).toContain('--workspace services/${SERVICE}');
  });

  it('runs as a non-root user, has a curl-free HEALTHCHECK on the health path', () => {
    const user = runtime.filter((i) => i.keyword === 'USER').at(-1);
    expect(user?.args).toBe('node');
    const health = runtime.find((i) => i.keyword === 'HEALTHCHECK')!;
    expect(health.args).toContain(`'${HEALTH_PATH}'`);
    expect(health.args).toContain('"node", "-e"');
    expect(health.args).not.toMatch(/curl|wget/);
  });

  // The Dockerfile spells LOG_ROOT instead of taking it as a build arg: a build arg would change
  // every service image's synthesized build_args, and the file stays buildable by hand as it is.
  it("creates the shared log directory at the contract's LOG_ROOT, owned by node, and names no other log root", () => {
    const logDir = runtime.find((i) => i.keyword === 'RUN' && i.args.includes('mkdir'))!;
    expect(logDir.args).toBe(`mkdir -p ${LOG_ROOT}/\${SERVICE} && chown -R node:node ${LOG_ROOT}`);
    expect(new Set(text.match(/\/var\/log\/[\w.-]+/g))).toEqual(new Set([LOG_ROOT]));
  });

  // OpenTelemetry must hook the libraries before the service's modules load them (ESM): only a
  // module imported ahead of the entry point can, so the register module comes first.
  it('starts the service with the telemetry register module imported before dist/main.js', () => {
    const cmd = runtime.filter((i) => i.keyword === 'CMD').at(-1)!;
    expect(JSON.parse(cmd.args)).toEqual(['node', '--import', TELEMETRY_REGISTER_MODULE, 'dist/main.js']);
    // The specifier resolves, through the kit's exports, to the build of src/telemetry/register.ts.
    const kit = JSON.parse(readFileSync(join(ROOT, 'services/shared/package.json'), 'utf8')) as { name: string; exports: Record<string, { default: string }> };
    const subpath = TELEMETRY_REGISTER_MODULE.slice(kit.name.length);
    expect(kit.exports[`.${subpath}`]?.default).toBe('./dist/telemetry/register.js');
    expect(existsSync(join(ROOT, 'services/shared/src/telemetry/register.ts'))).toBe(true);
  });

  it('ships compiled code, not sources, in the final stage', () => {
    const fromContext = runtime.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).map((i) => i.args);
    expect(fromContext).toEqual(['package.json package-lock.json ./', 'services/${SERVICE}/migrations services/${SERVICE}/migrations']);
    const fromBuild = runtime.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build')).map((i) => i.args);
    expect(fromBuild.every((a) => /\/dist services\/[a-z${}A-Z_-]+\/dist$/.test(a))).toBe(true);
  });
});

/** Directory (e.g. `services/contract`) of every workspace package, by package name. */
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { name: string; workspaces?: string[]; dependencies?: Record<string, string> };
const workspaceDirs = new Map((readJson('package.json').workspaces ?? []).map((dir) => [readJson(`${dir}/package.json`).name, dir]));
/** The workspace packages `dir` depends on, directly or through another one, dependencies first. */
function workspaceDependencies(dir: string): string[] {
  const direct = Object.keys(readJson(`${dir}/package.json`).dependencies ?? {}).flatMap((name) => workspaceDirs.get(name) ?? []);
  return [...new Set(direct.flatMap((d) => [...workspaceDependencies(d), d]))];
}

describe.each(SERVICES.map((s) => [s.name, s] as const))('services/Dockerfile with SERVICE=%s', (name, service) => {
  const expand = (s: string) => s.replaceAll('${SERVICE}', name);

  it('compiles every workspace package the service depends on, dependencies first, and ships their dist', () => {
    const build = stages.find((stage) => stage[0]!.args.endsWith(' AS build'))!;
    const packages = [...workspaceDependencies(`services/${name}`), `services/${name}`];
    expect(packages).toContain('services/contract');
    const copied = build.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).map((i) => expand(i.args));
    for (const dir of packages) expect(copied).toContain(`${dir} ${dir}`);
    const compile = build.find((i) => i.keyword === 'RUN' && i.args.startsWith('npm run build'))!;
    expect([...expand(compile.args).matchAll(/--workspace (\S+)/g)].map((m) => m[1])).toEqual(packages);
    const shipped = runtime.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build')).map((i) => expand(i.args));
    for (const dir of packages) expect(shipped).toContain(`--from=build /app/${dir}/dist ${dir}/dist`);
  });

  it("makes the service's log directory (serviceLogDir) for its replicas to write in", () => {
    const logDir = runtime.find((i) => i.keyword === 'RUN' && i.args.includes('mkdir'))!;
    expect(expand(logDir.args)).toContain(`mkdir -p ${serviceLogDir(name)} `);
  });

  it('`npm start` runs the same command as the image', () => {
    const cmd = JSON.parse(runtime.filter((i) => i.keyword === 'CMD').at(-1)!.args) as string[];
    const manifest = JSON.parse(readFileSync(join(ROOT, 'services', name, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.start).toBe(cmd.join(' '));
  });

  it('exposes the catalog port', () => {
    expect(runtime.find((i) => i.keyword === 'EXPOSE')?.args).toBe(String(service.port));
  });

  it('copies only paths that exist in the repository (build context = repo root)', () => {
    const sources = all
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
      .map(expand);
    expect(sources).toContain(`services/${name}/migrations`);
    for (const source of sources) expect(existsSync(join(ROOT, source)), source).toBe(true);
  });
});

it('no per-service Dockerfile is left to drift from the shared one', () => {
  for (const service of SERVICES) expect(existsSync(join(ROOT, 'services', service.name, 'Dockerfile')), service.name).toBe(false);
});

it('.dockerignore keeps host builds, dependencies, state and the local CA out of the context', () => {
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['node_modules', 'dist', 'cdktf.out', '.git', '.platform', '*.tfstate*']) expect(ignored).toContain(entry);
});
