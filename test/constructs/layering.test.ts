import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONSTRUCTS = join(ROOT, 'constructs');
const STACKS = join(ROOT, 'stacks');

/** Every TypeScript file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The relative module specifiers `source` imports or re-exports (static `from '...'` and dynamic `import('...')`). */
export function relativeImports(source: string): string[] {
  const specifiers = [...source.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
  return specifiers.filter((s) => s.startsWith('.'));
}

/** `file`'s imports that land under stacks/, as repository-relative paths. */
function importsOfStacks(file: string, source: string): string[] {
  return relativeImports(source)
    .map((specifier) => resolve(dirname(file), specifier))
    .filter((target) => target === STACKS || target.startsWith(`${STACKS}/`))
    .map((target) => relative(ROOT, target));
}

describe('constructs/ is a library that knows nothing of the app', () => {
  it('has no file that imports from stacks/', () => {
    const offenders = sourceFiles(CONSTRUCTS).flatMap((file) =>
      importsOfStacks(file, readFileSync(file, 'utf8')).map((target) => `${relative(ROOT, file)} imports ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the scan finds static, type-only, re-exported and dynamic imports of stacks/', () => {
    const file = join(CONSTRUCTS, 'elastic', 'example.ts');
    const source = [
      "import { ConfigError } from '../../stacks/config/index.js';",
      "import type { EnvironmentConfig } from '../../stacks/config/schema.js';",
      "export { x } from '../../stacks/app.js';",
      "const m = await import('../../stacks/images.js');",
      "import { ok } from '../images.js';",
    ].join('\n');
    expect(importsOfStacks(file, source)).toEqual(['stacks/config/index.js', 'stacks/config/schema.js', 'stacks/app.js', 'stacks/images.js']);
  });
});
