import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LOGSTASH_API_PORT, LOGSTASH_BEATS_PORT, LOGSTASH_CONFIG_DIR, LOGSTASH_DATA_DIR, LOGSTASH_ENV, LOGSTASH_PIPELINE_DIR, LOGSTASH_SETTINGS_ENV, logSources, logstashFiles } from '../../pipelines/index.js';
import { DEAD_LETTER_LOG_SOURCE, dataStreamName, SERVICES, UNROUTED_LOG_SOURCE } from '@platform/contract';
import type { Attribute, BranchNode, Condition, ConfigNode, PluginNode, Statement, Value } from '../support/logstash-grammar/ast.js';
import { checkLogstashPipeline, pluginsOf } from '../support/logstash-grammar/parse.js';

const PIPELINE_PATH = `${LOGSTASH_PIPELINE_DIR}/platform-logs.conf`;
const DEAD_LETTERS_PATH = `${LOGSTASH_PIPELINE_DIR}/dead-letters.conf`;
const files = logstashFiles();
const fileAt = (path: string): string => {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`logstashFiles() has no ${path}`);
  return file.content;
};
const pipelineText = fileAt(PIPELINE_PATH);
const pipeline: ConfigNode = checkLogstashPipeline(pipelineText, 'platform-logs.conf');
const plugins = pluginsOf(pipeline);
const deadLettersText = fileAt(DEAD_LETTERS_PATH);
const deadLetterPlugins = pluginsOf(checkLogstashPipeline(deadLettersText, 'dead-letters.conf'));
const envReferences = (text: string) => new Set([...text.matchAll(/\$\{([^}:]+)(?::[^}]*)?\}/g)].map((m) => m[1]!));
const logstashYml = parseYaml(fileAt(`${LOGSTASH_CONFIG_DIR}/logstash.yml`)) as Record<string, unknown>;

function attribute(plugin: PluginNode, name: string): Value | undefined {
  return plugin.attributes.find((a: Attribute) => a.name === name)?.value;
}
function scalar(plugin: PluginNode, name: string): string | number | undefined {
  const value = attribute(plugin, name);
  return value && (value.kind === 'string' || value.kind === 'bareword' || value.kind === 'number') ? value.value : undefined;
}
function only(section: 'input' | 'output', name: string, among = plugins): PluginNode {
  const found = among.filter((p) => p.section === section && p.name === name && !p.codec);
  expect(found, `${section} ${name}`).toHaveLength(1);
  return found[0]!.plugin!;
}
/** Every condition in the config, however deeply nested. */
function conditions(statements: readonly Statement[]): Condition[] {
  return statements.flatMap((s) =>
    s.kind === 'branch'
      ? [...(s as BranchNode).cases.flatMap((c) => [c.condition, ...conditions(c.body)]), ...conditions((s as BranchNode).otherwise ?? [])]
      : [],
  );
}
/** The strings a condition compares the field `path` with (`[a][b] == "x"`), however deeply nested. */
function comparedWith(condition: Condition, path: readonly string[]): string[] {
  const c = condition as unknown as Record<string, unknown>;
  const found: string[] = [];
  if (c.kind === 'compare') {
    const left = c.left as { kind: string; path?: string[] };
    const right = c.right as { kind: string; value?: string };
    if (left.kind === 'selector' && left.path!.join('/') === path.join('/') && right.kind === 'string') found.push(right.value!);
  }
  for (const value of Object.values(c)) {
    if (value && typeof value === 'object' && 'kind' in value) found.push(...comparedWith(value as Condition, path));
  }
  return found;
}

describe('the Logstash files', () => {
  it('are exactly the files under pipelines/logstash/, at the paths the Logstash image reads', () => {
    const onDisk = readdirSync(new URL('../../pipelines/logstash/', import.meta.url)).filter((f) => /\.(conf|yml)$/.test(f));
    expect(files.map((f) => f.path).sort()).toEqual(
      [`${LOGSTASH_CONFIG_DIR}/logstash.yml`, `${LOGSTASH_CONFIG_DIR}/pipelines.yml`, PIPELINE_PATH, DEAD_LETTERS_PATH].sort(),
    );
    expect(onDisk.sort()).toEqual(['dead-letters.conf', 'logstash.yml', 'pipelines.yml', 'platform-logs.conf']);
    for (const name of onDisk) {
      const uploaded = files.find((f) => f.path.endsWith(`/${name}`))!;
      expect(uploaded.content).toBe(readFileSync(new URL(`../../pipelines/logstash/${name}`, import.meta.url), 'utf8'));
    }
  });

  it('logstash.yml: persisted queue and dead-letter queue on the data volume, API on the network behind basic auth with an enforced password policy', () => {
    const settings = logstashYml;
    expect(settings['queue.type']).toBe('persisted');
    expect(settings['dead_letter_queue.enable']).toBe(true);
    expect(settings['path.data']).toBe(LOGSTASH_DATA_DIR);
    expect(String(settings['path.queue'])).toMatch(new RegExp(`^${LOGSTASH_DATA_DIR}/`));
    expect(String(settings['path.dead_letter_queue'])).toMatch(new RegExp(`^${LOGSTASH_DATA_DIR}/`));
    // Metricbeat polls the API from its own container; the API answers only with credentials from the environment.
    expect(settings['api.http.host']).toBe('0.0.0.0');
    expect(settings['api.http.port']).toBe(LOGSTASH_API_PORT);
    expect(settings['api.auth.type']).toBe('basic');
    expect(settings['api.auth.basic.username']).toBe(`\${${LOGSTASH_SETTINGS_ENV.apiUsername}}`);
    expect(settings['api.auth.basic.password']).toBe(`\${${LOGSTASH_SETTINGS_ENV.apiPassword}}`);
    expect(settings['api.auth.basic.password_policy.mode']).toBe('ERROR');
  });

  it('logstash.yml: loses no acknowledged event on a kill (checkpoint after every write)', () => {
    expect(logstashYml['queue.checkpoint.writes']).toBe(1);
  });

  it('the dead-letter queue frees space: consumed segments are deleted, old ones expire, new refusals are kept', () => {
    expect(logstashYml['dead_letter_queue.retain.age']).toMatch(/^\d+[dhm]$/);
    expect(logstashYml['dead_letter_queue.storage_policy']).toBe('drop_older');
    const deadLetters = fileAt(`${LOGSTASH_PIPELINE_DIR}/dead-letters.conf`);
    expect(deadLetters).toMatch(/dead_letter_queue \{[^}]*commit_offsets => true[^}]*clean_consumed => true/s);
  });

  it('pipelines.yml runs exactly the uploaded pipeline files; the dead-letter reader keeps no DLQ of its own', () => {
    const declared = parseYaml(fileAt(`${LOGSTASH_CONFIG_DIR}/pipelines.yml`)) as Array<Record<string, unknown>>;
    expect(declared.map((p) => p['pipeline.id'])).toEqual(['platform-logs', 'dead-letters']);
    const uploadedPipelines = files.filter((f) => f.path.startsWith(`${LOGSTASH_PIPELINE_DIR}/`)).map((f) => f.path);
    expect(declared.map((p) => p['path.config']).sort()).toEqual(uploadedPipelines.sort());
    expect(declared.find((p) => p['pipeline.id'] === 'platform-logs')!['dead_letter_queue.enable']).toBeUndefined(); // logstash.yml: on
    expect(declared.find((p) => p['pipeline.id'] === 'dead-letters')!['dead_letter_queue.enable']).toBe(false);
  });
});

describe('the pipeline', () => {
  it('parses with the Logstash grammar and names only plugins that ship with Logstash', () => {
    expect(plugins.map((p) => p.name)).toEqual(expect.arrayContaining(['beats', 'mutate', 'grok', 'date', 'elasticsearch']));
  });

  it('gives every plugin a unique id (Logstash refuses duplicates; ids name plugins in the monitoring API)', () => {
    const ids = plugins.filter((p) => !p.codec).map((p) => scalar(p.plugin!, 'id'));
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('references only environment variables in LOGSTASH_ENV, and all of them', () => {
    // Anywhere in the text: Logstash substitutes references even inside comments.
    expect([...envReferences(pipelineText)].sort()).toEqual(Object.values(LOGSTASH_ENV).sort());
  });

  it('listens for Filebeat on LOGSTASH_BEATS_PORT with TLS from the env-provided certificate and key', () => {
    const beats = only('input', 'beats');
    expect(scalar(beats, 'port')).toBe(LOGSTASH_BEATS_PORT);
    expect(scalar(beats, 'ssl_enabled')).toBe('true');
    expect(scalar(beats, 'ssl_certificate')).toBe(`\${${LOGSTASH_ENV.beatsCertificatePath}}`);
    expect(scalar(beats, 'ssl_key')).toBe(`\${${LOGSTASH_ENV.beatsKeyPath}}`);
  });

  it('writes to logs-<source>-<environment>, the name dataStreamName() gives, with op_type create', () => {
    const es = only('output', 'elasticsearch');
    expect(scalar(es, 'index')).toBe(dataStreamName('%{[@metadata][source]}', '%{[@metadata][environment]}'));
    expect(scalar(es, 'action')).toBe('create');
    // data_stream => true would name streams logs-<dataset>-<namespace> from data_stream.* fields instead.
    expect(scalar(es, 'data_stream')).toBe('false');
    expect(plugins.filter((p) => p.section === 'output')).toHaveLength(1);
  });

  it('authenticates as the logstash writer and verifies Elasticsearch against the CA', () => {
    const es = only('output', 'elasticsearch');
    expect(scalar(es, 'hosts')).toBe(`\${${LOGSTASH_ENV.elasticsearchHosts}}`);
    expect(scalar(es, 'user')).toBe(`\${${LOGSTASH_ENV.writerUsername}}`);
    expect(scalar(es, 'password')).toBe(`\${${LOGSTASH_ENV.writerPassword}}`);
    expect(scalar(es, 'ssl_enabled')).toBe('true');
    expect(scalar(es, 'ssl_verification_mode')).toBe('full');
    expect(attribute(es, 'ssl_certificate_authorities')).toMatchObject({
      kind: 'array',
      items: [{ kind: 'string', value: `\${${LOGSTASH_ENV.elasticsearchCaPath}}` }],
    });
  });

  it('routes by the fields Filebeat stamps, and only tests log types Filebeat produces', () => {
    for (const field of ['log_source', 'log_type', 'log_environment']) {
      expect(pipelineText).toContain(`"[fields][${field}]" => "[@metadata][`);
    }
    const stamped = new Set(logSources(SERVICES).map((s) => s.type));
    const testedTypes = conditions(pipeline.sections.flatMap((s) => s.body)).flatMap((c) => comparedWith(c, ['@metadata', 'log_type']));
    expect(testedTypes.length).toBeGreaterThan(0);
    for (const type of testedTypes) expect(stamped, `log type "${type}" in a condition`).toContain(type);
  });

  it('tags plain-text lines it parsed with the fallback and keeps the ones it could not parse, tagged', () => {
    expect(pipelineText).toContain('add_tag => ["_plain_fallback"]');
    expect(pipelineText).toContain('tag_on_failure => ["_plain_unparsed"]');
    expect(plugins.some((p) => p.name === 'drop')).toBe(false);
  });
});

describe('the dead-letters pipeline', () => {
  it('parses, names only bundled plugins, gives each a unique id and uses only LOGSTASH_ENV variables', () => {
    const ids = deadLetterPlugins.filter((p) => !p.codec).map((p) => scalar(p.plugin!, 'id'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const name of envReferences(deadLettersText)) expect(Object.values(LOGSTASH_ENV)).toContain(name);
  });

  it("reads the platform-logs pipeline's dead-letter queue where logstash.yml puts it", () => {
    const input = only('input', 'dead_letter_queue', deadLetterPlugins);
    expect(scalar(input, 'path')).toBe(logstashYml['path.dead_letter_queue']);
    expect(scalar(input, 'pipeline_id')).toBe('platform-logs');
    expect(scalar(input, 'commit_offsets')).toBe('true');
  });

  it("names a dead letter's service by the contract's unrouted source when the refused event had no string service.name", () => {
    // dead-letters.conf is Ruby inside a Logstash string, not rendered: this keeps its literal equal to the contract.
    const ruby = deadLetterPlugins.filter((p) => p.section === 'filter' && p.name === 'ruby');
    expect(ruby).toHaveLength(1);
    expect(String(scalar(ruby[0]!.plugin!, 'code'))).toContain(`event.set('[service][name]', service.is_a?(String) ? service : '${UNROUTED_LOG_SOURCE}')`);
  });

  it('writes to logs-deadletter-<environment> with the same credentials and TLS verification', () => {
    const es = only('output', 'elasticsearch', deadLetterPlugins);
    expect(scalar(es, 'index')).toBe(dataStreamName(DEAD_LETTER_LOG_SOURCE, `\${${LOGSTASH_ENV.platformEnvironment}}`));
    const main = only('output', 'elasticsearch');
    for (const option of ['hosts', 'user', 'password', 'ssl_enabled', 'ssl_verification_mode', 'action', 'data_stream']) {
      expect(scalar(es, option), option).toBe(scalar(main, option));
    }
    expect(attribute(es, 'ssl_certificate_authorities')).toMatchObject({ items: [{ value: `\${${LOGSTASH_ENV.elasticsearchCaPath}}` }] });
  });
});
