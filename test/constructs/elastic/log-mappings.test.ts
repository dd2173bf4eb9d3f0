import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import { dataStreamName, ENVIRONMENT_NAME_PATTERN } from '@platform/contract';
import { LOG_MAPPINGS, logIndexPatterns, logIndexSettings } from '../../../constructs/elastic/log-mappings.js';

/** The mapping of a dotted field path, walking object properties. */
function mappingOf(path: string): estypes.MappingProperty | undefined {
  let properties: Record<string, estypes.MappingProperty> | undefined = LOG_MAPPINGS.properties;
  let found: estypes.MappingProperty | undefined;
  for (const part of path.split('.')) {
    found = properties?.[part];
    properties = found && 'properties' in found ? (found.properties as Record<string, estypes.MappingProperty>) : undefined;
  }
  return found;
}

const typeOf = (path: string) => (mappingOf(path) as { type?: string } | undefined)?.type;

/** Elasticsearch's index-pattern wildcard semantics (only `*`). */
const matches = (pattern: string, name: string) =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name);

describe('ECS log mappings', () => {
  it('map every field of the log contract with its ECS type', () => {
    const expected: Record<string, string> = {
      '@timestamp': 'date',
      'log.level': 'keyword',
      message: 'match_only_text',
      'ecs.version': 'keyword',
      'service.name': 'keyword',
      'service.environment': 'keyword',
      'http.request.id': 'keyword',
      'event.action': 'keyword',
      'user.id': 'keyword',
      'order.id': 'keyword',
      'http.request.method': 'keyword',
      'url.path': 'keyword',
      'http.route': 'keyword',
      'http.response.status_code': 'long',
      'event.duration': 'long',
      'error.message': 'match_only_text',
      'error.type': 'keyword',
      'error.stack_trace': 'wildcard',
      'process.pid': 'long',
      'host.hostname': 'keyword',
    };
    for (const [path, type] of Object.entries(expected)) expect(typeOf(path), path).toBe(type);
  });

  it('map every ECS field the Logstash pipeline writes for nginx access lines', () => {
    const conf = readFileSync(fileURLToPath(new URL('../../../pipelines/logstash/platform-logs.conf', import.meta.url)), 'utf8');
    const rename = /id => "nginx_access_rename"[^]*?rename => \{([^}]*)\}/.exec(conf);
    expect(rename, 'the nginx_access_rename filter').not.toBeNull();
    const targets = [...rename![1]!.matchAll(/=> "((?:\[[^\]]+\])+)"/g)].map((m) => m[1]!.slice(1, -1).split('][').join('.'));
    const ecsTargets = targets.filter((t) => !t.startsWith('@metadata'));
    expect(ecsTargets.length).toBeGreaterThan(10);
    for (const target of ecsTargets) expect(mappingOf(target), target).toBeDefined();
    // Fields the pipeline derives after the rename.
    for (const path of ['source.ip', 'event.duration', 'nginx.access.upstream.response_time', 'event.dataset', 'event.kind']) {
      expect(mappingOf(path), path).toBeDefined();
    }
    expect(typeOf('source.ip')).toBe('ip');
    expect(typeOf('http.response.body.bytes')).toBe('long');
    expect(typeOf('nginx.access.upstream.status')).toBe('keyword'); // "200", "-" or "502, 200"
  });

  it('keep unknown fields (dynamic) and map unknown strings to bounded keywords', () => {
    expect(LOG_MAPPINGS.dynamic).toBe(true);
    expect(LOG_MAPPINGS.dynamic_templates).toEqual([
      { strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
    ]);
    expect(LOG_MAPPINGS.date_detection).toBe(false);
  });
});

describe('log index settings', () => {
  it('attach the ILM policy and size replicas to the cluster', () => {
    expect(logIndexSettings({ lifecyclePolicyName: 'p', dataNodes: 1 }).index).toMatchObject({ lifecycle: { name: 'p' }, number_of_replicas: 0 });
    expect(logIndexSettings({ lifecyclePolicyName: 'p', dataNodes: 3 }).index.number_of_replicas).toBe(1);
  });

  it('refuse a missing policy or a bad node count', () => {
    expect(() => logIndexSettings({ lifecyclePolicyName: ' ', dataNodes: 1 })).toThrow(/lifecyclePolicyName/);
    expect(() => logIndexSettings({ lifecyclePolicyName: 'p', dataNodes: 0 })).toThrow(/dataNodes/);
  });
});

describe('log index patterns', () => {
  const source = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
  const environment = fc.stringMatching(ENVIRONMENT_NAME_PATTERN);

  it('match every data stream name of the environment, and none of another', () => {
    fc.assert(
      fc.property(source, environment, environment, (name, env, other) => {
        const patterns = logIndexPatterns(env);
        expect(patterns.some((p) => matches(p, dataStreamName(name, env)))).toBe(true);
        if (other !== env) expect(patterns.some((p) => matches(p, dataStreamName(name, other)))).toBe(false);
      }),
    );
  });
});

describe('mapping and settings typing (compiled with the TypeScript compiler)', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const header = `import type { estypes } from '@elastic/elasticsearch';\nimport type { LogIndexSettings } from '../constructs/elastic/log-mappings.js';\n`;
  /** Modules that exist only in memory, next to the tests (so imports resolve as they would here). */
  const sources: Record<string, string> = {
    [`${root}test/__typecheck_valid__.ts`]:
      header +
      `export const m: estypes.MappingTypeMapping = { dynamic: true, properties: { a: { type: 'keyword', ignore_above: 10 } } };\n` +
      `export const s: LogIndexSettings = { index: { lifecycle: { name: 'p' }, number_of_replicas: 0, codec: 'best_compression', mapping: { total_fields: { limit: 10 } } } };\n`,
    [`${root}test/__typecheck_invalid__.ts`]:
      header +
      `export const m1: estypes.MappingTypeMapping = { properties: { a: { type: 'keyword', ignore_abov: 10 } } };\n` +
      `export const m2: estypes.MappingTypeMapping = { properties: { a: { type: 'keywrd' } } };\n` +
      `export const s: LogIndexSettings = { index: { lifecycle: { name: 'p' }, number_of_replica: 0, mapping: {} } };\n`,
  };

  /** Type errors per in-memory module, from one compilation. */
  function typeErrors(): Record<string, string[]> {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, languageVersion, ...rest) =>
      sources[name] !== undefined ? ts.createSourceFile(name, sources[name]!, languageVersion) : getSourceFile(name, languageVersion, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => sources[name] !== undefined || fileExists(name);
    const program = ts.createProgram(Object.keys(sources), options, host);
    return Object.fromEntries(
      Object.keys(sources).map((name) => [
        name.slice(`${root}test/`.length),
        ts.getPreEmitDiagnostics(program, program.getSourceFile(name)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
      ]),
    );
  }

  it('accepts valid mappings and settings, and rejects a misspelled mapping option, a wrong field type and an unknown index setting', () => {
    const errors = typeErrors();
    expect(errors['__typecheck_valid__.ts']).toEqual([]);
    const invalid = errors['__typecheck_invalid__.ts']!.join('\n');
    expect(invalid).toMatch(/ignore_abov/);
    expect(invalid).toMatch(/keywrd/);
    expect(invalid).toMatch(/number_of_replica/);
    expect(errors['__typecheck_invalid__.ts']).toHaveLength(3);
  }, 60_000);
});
