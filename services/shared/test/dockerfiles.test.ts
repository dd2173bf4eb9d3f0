import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEALTH_PATH, SERVICES } from '../src/catalog.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

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

describe.each(SERVICES.map((s) => [s.name, s] as const))('%s Dockerfile', (name, service) => {
  const text = readFileSync(join(ROOT, 'services', name, 'Dockerfile'), 'utf8');
  const all = instructions(text);
  const stages = all.reduce<Instruction[][]>((acc, i) => (i.keyword === 'FROM' ? [...acc, [i]] : (acc.at(-1)?.push(i), acc)), []);
  const runtime = stages.at(-1)!;
  const serviceArg = all.find((i) => i.keyword === 'ARG' && i.args.startsWith('SERVICE='))!.args.split('=')[1];
  const expand = (s: string) => s.replaceAll('${SERVICE}', serviceArg!);

  it('builds this service', () => expect(serviceArg).toBe(name));

  it('is multi-stage from a pinned node 20 slim/alpine image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const image = all.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='))!.args.split('=')[1]!;
    expect(image).toMatch(/^node:20\.\d+\.\d+-(bookworm-slim|alpine\d\.\d+)$/);
  });

  it('installs only production dependencies of this workspace in the final stage', () => {
    const install = runtime.find((i) => i.keyword === 'RUN' && i.args.includes('npm ci'))!;
    expect(install.args).toContain('--omit=dev');
    expect(install.args).toContain('--workspace services/${SERVICE}');
  });

  it('runs as a non-root user, exposes the catalog port, has a curl-free HEALTHCHECK on the health path', () => {
    const user = runtime.filter((i) => i.keyword === 'USER').at(-1);
    expect(user?.args).toBe('node');
    expect(runtime.find((i) => i.keyword === 'EXPOSE')?.args).toBe(String(service.port));
    const health = runtime.find((i) => i.keyword === 'HEALTHCHECK')!;
    expect(health.args).toContain(`'${HEALTH_PATH}'`);
    expect(health.args).toContain('"node", "-e"');
    expect(health.args).not.toMatch(/curl|wget/);
  });

  it('ships compiled code, not sources, in the final stage', () => {
    const fromContext = runtime.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).map((i) => expand(i.args));
    expect(fromContext).toEqual(['package.json package-lock.json ./', `services/${name}/migrations services/${name}/migrations`]);
    const fromBuild = runtime.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build')).map((i) => expand(i.args));
    expect(fromBuild.every((args) => /\/dist services\/[a-z-]+\/dist$/.test(args))).toBe(true);
  });

  it('copies only paths that exist in the repository (build context = repo root)', () => {
    const sources = all
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
      .map(expand);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(join(ROOT, source)), source).toBe(true);
  });
});

it('.dockerignore keeps host builds and dependencies out of the context', () => {
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['node_modules', 'dist', 'cdktf.out', '.git']) expect(ignored).toContain(entry);
});
