import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONTRACT_DIR = 'services/contract';

/** The specifiers of every static import, re-export and dynamic `import('…')` with a literal argument. */
function importSpecifiers(source: string): string[] {
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

/** Where a relative specifier of `file` points, from the repository root (e.g. `services/<package>/…`); undefined for a package name. */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(ROOT, resolve(dirname(join(ROOT, file)), specifier)).split(sep).join('/');
}

/** A relative import into a workspace package's files: it must go through the package's name instead. */
function reachesIntoServices(file: string, specifier: string): boolean {
  return target(file, specifier)?.startsWith('services/') ?? false;
}

function typescriptFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return ['node_modules', 'dist', 'cdktf.out', '__snapshots__'].includes(entry.name) ? [] : typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const imports = (files: readonly string[]) =>
  files.flatMap((file) => importSpecifiers(readFileSync(join(ROOT, file), 'utf8')).map((specifier) => ({ file, specifier })));

const outsideServices = ['main.ts', 'vitest.config.ts', ...['constructs', 'stacks', 'pipelines', 'tools', 'test'].flatMap(typescriptFiles)];
const infrastructure = ['main.ts', ...['constructs', 'stacks', 'pipelines'].flatMap(typescriptFiles)];

describe('imports across the services/ boundary', () => {
  it('the checker sees relative imports into services/ and lets package names and other relative imports through', () => {
    // Spelled in pieces, so this file does not itself hold an import into services/.
    const into = (up: string, pkg: string, file: string) => `${up}/${['services', pkg, 'src', file].join('/')}`;
    const source = [
      `import { SERVICES } from '${into('..', 'shared', 'catalog.js')}';`,
      `export { x } from '${into('../..', 'contract', 'index.js')}';`,
      `const m = await import('${into('..', 'user-service', 'service.js')}');`,
      "import { LOG_ROOT } from '@platform/contract';",
      "import { ConfigError } from '../stacks/config/index.js';",
    ].join('\n');
    const found = (file: string) => importSpecifiers(source).filter((specifier) => reachesIntoServices(file, specifier));
    expect(found('constructs/elastic/x.ts')).toEqual([into('../..', 'contract', 'index.js')]);
    expect(found('constructs/x.ts')).toEqual([into('..', 'shared', 'catalog.js'), into('..', 'user-service', 'service.js')]);
  });

  it('no file outside services/ imports a workspace package by path: only by its name (@platform/...)', () => {
    expect(outsideServices.length).toBeGreaterThan(100);
    expect(imports(outsideServices).filter(({ file, specifier }) => reachesIntoServices(file, specifier))).toEqual([]);
  });

  it('the infrastructure (main.ts, constructs/, stacks/, pipelines/) imports no service runtime: of the workspace packages, only @platform/contract', () => {
    const runtime = imports(infrastructure).filter(({ specifier }) => specifier.startsWith('@platform/') && specifier !== '@platform/contract');
    expect(runtime).toEqual([]);
    expect(imports(infrastructure).some(({ specifier }) => specifier === '@platform/contract')).toBe(true);
  });

  it('@platform/contract depends on nothing: no dependencies in its package.json, no imports but its own files', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, CONTRACT_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) expect(manifest[field], field).toBeUndefined();
    const sources = typescriptFiles(`${CONTRACT_DIR}/src`);
    expect(sources.length).toBeGreaterThan(0);
    expect(imports(sources).filter(({ specifier }) => !specifier.startsWith('./'))).toEqual([]);
  });
});
