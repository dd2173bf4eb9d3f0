import { isDeepStrictEqual } from 'node:util';
import type { Attribute, ConfigNode, Condition, PluginNode, Rvalue, Statement, Value } from './ast.js';

/**
 * Runs events through a parsed Logstash pipeline, for tests: conditionals and the
 * plugins the platform pipeline uses (mutate, grok with the patterns it names, date,
 * drop, elasticsearch output), with Logstash's semantics for field references,
 * sprintf, `${VAR}` substitution, mutate's operation order and add_field appending.
 * Anything it does not model (another plugin, an unknown grok pattern, a date format)
 * throws UnsupportedInSimulation, so a test can never pass by skipping a step.
 */

export type Fields = Record<string, unknown>;

export class UnsupportedInSimulation extends Error {
  override readonly name = 'UnsupportedInSimulation';
}

export interface SimulatedOutput {
  /** The output plugin, e.g. `elasticsearch`. */
  readonly plugin: string;
  /** The resolved `index` option (the data stream name for a data stream write). */
  readonly index: string | undefined;
  /** The document sent: the event without `@metadata`. */
  readonly document: Fields;
}

export interface SimulationResult {
  /** The event after the filters; null when a filter dropped it. */
  readonly event: Fields | null;
  readonly outputs: readonly SimulatedOutput[];
}

const isMap = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- field references and sprintf -------------------------------------------------

/** `[a][b]` -> ['a', 'b']; a bare name is one top-level key (dots included). */
export function fieldPath(reference: string): string[] {
  if (!reference.startsWith('[')) return [reference];
  const parts = [...reference.matchAll(/\[([^\][]+)\]/g)].map((m) => m[1]!);
  if (parts.join('') === '' || parts.map((p) => `[${p}]`).join('') !== reference) {
    throw new UnsupportedInSimulation(`not a field reference: ${reference}`);
  }
  return parts;
}

export function getField(event: Fields, reference: string): unknown {
  let here: unknown = event;
  for (const part of fieldPath(reference)) {
    if (!isMap(here)) return undefined;
    here = here[part];
  }
  return here;
}

function setField(event: Fields, reference: string, value: unknown): void {
  const path = fieldPath(reference);
  let here = event;
  for (const part of path.slice(0, -1)) {
    if (!isMap(here[part])) here[part] = {};
    here = here[part] as Fields;
  }
  here[path.at(-1)!] = value;
}

function removeField(event: Fields, reference: string): void {
  const path = fieldPath(reference);
  const parent = path.length === 1 ? event : getField(event, path.slice(0, -1).map((p) => `[${p}]`).join(''));
  if (isMap(parent)) delete parent[path.at(-1)!];
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(stringify).join(',');
  if (isMap(value)) return JSON.stringify(value);
  return String(value);
}

/** Logstash sprintf: `%{[field]}` is replaced by the field's value; a missing field stays as written. */
export function sprintf(event: Fields, template: string): string {
  return template.replace(/%\{([^}]+)\}/g, (whole, reference: string) => {
    if (reference.startsWith('+')) throw new UnsupportedInSimulation(`sprintf date formats (${whole}) are not modelled`);
    const value = getField(event, reference);
    return value === undefined || value === null ? whole : stringify(value);
  });
}

// ---- attribute values ---------------------------------------------------------------

function substituteEnv(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([^}:]+)(?::([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const value = env[name] ?? fallback;
    if (value === undefined) throw new Error(`Cannot evaluate \`\${${name}}\`: environment variable ${name} is not set (Logstash refuses to start)`);
    return value;
  });
}

type Plain = string | number | boolean | Plain[] | { [key: string]: Plain };

function plain(value: Value, env: Readonly<Record<string, string>>): Plain {
  switch (value.kind) {
    case 'string':
      return substituteEnv(value.value, env);
    case 'bareword':
      return value.value === 'true' ? true : value.value === 'false' ? false : value.value;
    case 'number':
      return value.value;
    case 'array':
      return value.items.map((item) => plain(item, env));
    case 'hash':
      return Object.fromEntries(value.entries.map((e) => [String(e.key.value), plain(e.value, env)]));
    case 'plugin':
      throw new UnsupportedInSimulation(`plugin-valued attribute (${value.name}) is not modelled`);
  }
}

class Options {
  private readonly values: Map<string, Plain>;
  constructor(
    readonly plugin: PluginNode,
    env: Readonly<Record<string, string>>,
  ) {
    this.values = new Map(plugin.attributes.map((a: Attribute) => [a.name, plain(a.value, env)]));
  }
  has(name: string): boolean {
    return this.values.has(name);
  }
  string(name: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined ? undefined : String(v);
  }
  list(name: string): string[] {
    const v = this.values.get(name);
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map((item) => String(item));
  }
  hash(name: string): Array<[string, Plain]> {
    const v = this.values.get(name);
    if (v === undefined) return [];
    if (Array.isArray(v)) {
      // Logstash also accepts [k1, v1, k2, v2] for hash options.
      const pairs: Array<[string, Plain]> = [];
      for (let i = 0; i < v.length; i += 2) pairs.push([String(v[i]), v[i + 1]!]);
      return pairs;
    }
    if (!isMap(v)) throw new UnsupportedInSimulation(`${this.plugin.name}.${name} is not a hash`);
    return Object.entries(v);
  }
  /** Names nobody reads would be silently ignored; refuse them instead. */
  assertOnly(known: readonly string[]): void {
    const common = ['id', 'add_field', 'add_tag', 'remove_field', 'remove_tag', 'enable_metric', 'periodic_flush'];
    for (const name of this.values.keys()) {
      if (!known.includes(name) && !common.includes(name)) {
        throw new UnsupportedInSimulation(`${this.plugin.name} option "${name}" (line ${this.plugin.line}) is not modelled`);
      }
    }
  }
}

// ---- conditions -----------------------------------------------------------------------

function rvalue(event: Fields, node: Rvalue): unknown {
  switch (node.kind) {
    case 'string':
    case 'number':
      return node.value;
    case 'selector':
      return getField(event, node.path.map((p) => `[${p}]`).join(''));
    case 'array':
      return node.items.map((item) => rvalue(event, item as Rvalue));
    case 'regexp':
      return new RegExp(node.value);
    case 'call':
      throw new UnsupportedInSimulation(`method calls in conditions (${node.method}) are not modelled`);
  }
}

const truthy = (v: unknown) => v !== undefined && v !== null && v !== false;

function evaluate(event: Fields, condition: Condition): boolean {
  switch (condition.kind) {
    case 'boolean': {
      const left = evaluate(event, condition.left);
      const right = evaluate(event, condition.right);
      return { and: left && right, or: left || right, xor: left !== right, nand: !(left && right) }[condition.op];
    }
    case 'not':
      return !evaluate(event, condition.operand);
    case 'in': {
      const needle = rvalue(event, condition.left);
      const haystack = rvalue(event, condition.right);
      const found = Array.isArray(haystack)
        ? haystack.some((item) => isDeepStrictEqual(item, needle))
        : typeof haystack === 'string' && typeof needle === 'string' && haystack.includes(needle);
      return condition.negated ? !found : found;
    }
    case 'compare': {
      const left = rvalue(event, condition.left);
      const right = rvalue(event, condition.right);
      if (condition.op === '==') return isDeepStrictEqual(left, right);
      if (condition.op === '!=') return !isDeepStrictEqual(left, right);
      if (left === undefined || left === null || right === undefined || right === null) return false;
      if (typeof left !== typeof right || (typeof left !== 'number' && typeof left !== 'string')) {
        throw new UnsupportedInSimulation(`comparing ${typeof left} with ${typeof right} (line ${condition.line}) is not modelled`);
      }
      const l = left as number | string;
      const r = right as number | string;
      return { '<': l < r, '>': l > r, '<=': l <= r, '>=': l >= r }[condition.op];
    }
    case 'match': {
      const subject = rvalue(event, condition.left);
      const pattern = new RegExp(condition.right.value);
      const matched = typeof subject === 'string' && pattern.test(subject);
      return condition.op === '=~' ? matched : !matched;
    }
    default:
      return truthy(rvalue(event, condition));
  }
}

// ---- filters ----------------------------------------------------------------------------

function addValue(event: Fields, reference: string, value: unknown): void {
  const existing = getField(event, reference);
  if (existing === undefined) setField(event, reference, value);
  else setField(event, reference, [...(Array.isArray(existing) ? existing : [existing]), value]);
}

/** The options every filter has, applied when the filter succeeded (Logstash's filter_matched order). */
function filterMatched(event: Fields, options: Options): void {
  for (const [field, value] of options.hash('add_field')) addValue(event, sprintf(event, field), sprintf(event, String(value)));
  for (const field of options.list('remove_field')) removeField(event, sprintf(event, field));
  for (const tag of options.list('add_tag')) {
    const tags = (getField(event, 'tags') as string[] | undefined) ?? [];
    const name = sprintf(event, tag);
    if (!tags.includes(name)) setField(event, 'tags', [...tags, name]);
  }
  for (const tag of options.list('remove_tag')) {
    const tags = (getField(event, 'tags') as string[] | undefined) ?? [];
    setField(event, 'tags', tags.filter((t) => t !== sprintf(event, tag)));
  }
}

function convert(value: unknown, type: string): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, type));
  switch (type) {
    case 'integer': {
      const n = Number.parseInt(String(value), 10);
      return Number.isNaN(n) ? 0 : n;
    }
    case 'float': {
      const n = Number.parseFloat(String(value));
      return Number.isNaN(n) ? 0 : n;
    }
    case 'string':
      return stringify(value);
    case 'boolean':
      return /^(true|t|yes|y|1)$/i.test(String(value)) ? true : /^(false|f|no|n|0)$/i.test(String(value)) ? false : value;
    default:
      throw new UnsupportedInSimulation(`mutate convert to "${type}" is not modelled`);
  }
}

function mutate(event: Fields, options: Options): void {
  options.assertOnly(['rename', 'convert', 'gsub', 'lowercase', 'uppercase', 'copy', 'replace', 'update']);
  // logstash-filter-mutate applies its operations in this fixed order, whatever the config order.
  for (const [from, to] of options.hash('rename')) {
    const value = getField(event, sprintf(event, from));
    if (value !== undefined) {
      removeField(event, sprintf(event, from));
      setField(event, sprintf(event, String(to)), value);
    }
  }
  for (const [field, value] of options.hash('update')) {
    if (getField(event, field) !== undefined) setField(event, field, sprintf(event, String(value)));
  }
  for (const [field, value] of options.hash('replace')) setField(event, field, sprintf(event, String(value)));
  for (const [field, type] of options.hash('convert')) {
    const value = getField(event, field);
    if (value !== undefined) setField(event, field, convert(value, String(type)));
  }
  const gsub = options.list('gsub');
  for (let i = 0; i + 2 < gsub.length; i += 3) {
    const [field, pattern, replacement] = [gsub[i]!, gsub[i + 1]!, gsub[i + 2]!];
    const value = getField(event, field);
    // Ruby's gsub: \1 is a back-reference, $ is literal.
    const jsReplacement = replacement.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
    if (typeof value === 'string') setField(event, field, value.replace(new RegExp(pattern, 'g'), jsReplacement));
  }
  for (const field of options.list('uppercase')) {
    const value = getField(event, field);
    if (typeof value === 'string') setField(event, field, value.toUpperCase());
  }
  for (const field of options.list('lowercase')) {
    const value = getField(event, field);
    if (typeof value === 'string') setField(event, field, value.toLowerCase());
  }
  for (const [from, to] of options.hash('copy')) {
    const value = getField(event, from);
    if (value !== undefined) setField(event, String(to), structuredClone(value));
  }
  filterMatched(event, options);
}

/** The logstash-patterns-core definitions the platform pipeline relies on (JavaScript regex syntax). */
const GROK_PATTERNS: Record<string, string> = {
  YEAR: '(?:\\d\\d){1,2}',
  MONTHNUM: '(?:0?[1-9]|1[0-2])',
  MONTHDAY: '(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])',
  HOUR: '(?:2[0123]|[01]?[0-9])',
  MINUTE: '(?:[0-5][0-9])',
  SECOND: '(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)',
  TIME: '(?<![0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])',
  ISO8601_TIMEZONE: '(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))',
  TIMESTAMP_ISO8601: '%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?',
  LOGLEVEL:
    '(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo?(?:rmation)?|INFO?(?:RMATION)?|[Ww]arn?(?:ing)?|WARN?(?:ING)?|[Ee]rr?(?:or)?|ERR?(?:OR)?|[Cc]rit?(?:ical)?|CRIT?(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?)',
  GREEDYDATA: '.*',
  DATA: '.*?',
};

function compileGrok(pattern: string, definitions: Readonly<Record<string, string>>): { regex: RegExp; captures: string[] } {
  const captures: string[] = [];
  const expand = (text: string, depth: number): string => {
    if (depth > 20) throw new UnsupportedInSimulation('grok patterns nest too deeply');
    return text.replace(/%\{(\w+)(?::([^:}]+))?(?::\w+)?\}/g, (_, name: string, field: string | undefined) => {
      const body = definitions[name] ?? GROK_PATTERNS[name];
      if (body === undefined) throw new UnsupportedInSimulation(`grok pattern %{${name}} is not modelled`);
      const inner = expand(body, depth + 1);
      if (!field) return `(?:${inner})`;
      captures.push(field);
      return `(?<g${captures.length - 1}>${inner})`;
    });
  };
  return { regex: new RegExp(expand(pattern, 0)), captures };
}

function grok(event: Fields, options: Options): void {
  options.assertOnly(['match', 'pattern_definitions', 'overwrite', 'tag_on_failure']);
  const definitions = Object.fromEntries(options.hash('pattern_definitions').map(([k, v]) => [k, String(v)]));
  const overwrite = new Set(options.list('overwrite'));
  for (const [field, pattern] of options.hash('match')) {
    const subject = getField(event, field);
    const { regex, captures } = compileGrok(String(pattern), definitions);
    const match = typeof subject === 'string' ? regex.exec(subject) : null;
    if (match) {
      captures.forEach((target, i) => {
        const value = match.groups![`g${i}`];
        if (value === undefined) return;
        if (overwrite.has(target) || getField(event, target) === undefined) setField(event, target, value);
        else addValue(event, target, value);
      });
      filterMatched(event, options);
      return;
    }
  }
  const failureTags = options.has('tag_on_failure') ? options.list('tag_on_failure') : ['_grokparsefailure'];
  const tags = (getField(event, 'tags') as string[] | undefined) ?? [];
  setField(event, 'tags', [...tags, ...failureTags.filter((t) => !tags.includes(t))]);
}

/** Joda-style patterns the pipeline uses, and ISO8601. */
function parseDate(text: string, format: string, zone: string | undefined): Date | undefined {
  if (format === 'ISO8601') {
    const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
    if (!iso.test(text)) return undefined;
    const normalized = text.replace(' ', 'T').replace(',', '.');
    return new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(normalized) ? normalized : `${normalized}${zoneSuffix(zone)}`);
  }
  const tokens: Record<string, string> = { yyyy: '(\\d{4})', MM: '(\\d{2})', dd: '(\\d{2})', HH: '(\\d{2})', mm: '(\\d{2})', ss: '(\\d{2})', SSS: '(\\d{3})' };
  const order: string[] = [];
  const source = format.replace(/yyyy|MM|dd|HH|mm|ss|SSS|[A-Za-z]/g, (token) => {
    if (!(token in tokens)) throw new UnsupportedInSimulation(`date format token "${token}" in "${format}" is not modelled`);
    order.push(token);
    return tokens[token]!;
  });
  const m = new RegExp(`^${source.replace(/[/.]/g, '\\$&')}$`).exec(text);
  if (!m) return undefined;
  const part = (t: string) => (order.includes(t) ? m[order.indexOf(t) + 1]! : t === 'SSS' ? '000' : '00');
  return new Date(`${part('yyyy')}-${part('MM')}-${part('dd')}T${part('HH')}:${part('mm')}:${part('ss')}.${part('SSS')}${zoneSuffix(zone)}`);
}

function zoneSuffix(zone: string | undefined): string {
  if (zone === undefined || zone === 'UTC' || zone === 'Etc/UTC') return 'Z';
  throw new UnsupportedInSimulation(`date timezone "${zone}" is not modelled`);
}

function date(event: Fields, options: Options): void {
  options.assertOnly(['match', 'timezone', 'target', 'tag_on_failure']);
  const [field, ...formats] = options.list('match');
  const value = getField(event, field!);
  if (value === undefined) return; // no source field: the date filter does nothing
  for (const format of formats) {
    const parsed = parseDate(String(value), format, options.string('timezone'));
    if (parsed && !Number.isNaN(parsed.getTime())) {
      setField(event, options.string('target') ?? '@timestamp', parsed.toISOString());
      filterMatched(event, options);
      return;
    }
  }
  const tags = (getField(event, 'tags') as string[] | undefined) ?? [];
  const failureTags = options.has('tag_on_failure') ? options.list('tag_on_failure') : ['_dateparsefailure'];
  setField(event, 'tags', [...tags, ...failureTags.filter((t) => !tags.includes(t))]);
}

// ---- running ------------------------------------------------------------------------------

interface Run {
  readonly env: Readonly<Record<string, string>>;
  readonly outputs: SimulatedOutput[];
  dropped: boolean;
}

function runFilter(event: Fields, plugin: PluginNode, run: Run): void {
  const options = new Options(plugin, run.env);
  switch (plugin.name) {
    case 'mutate':
      return mutate(event, options);
    case 'grok':
      return grok(event, options);
    case 'date':
      return date(event, options);
    case 'drop':
      run.dropped = true;
      return;
    default:
      throw new UnsupportedInSimulation(`filter "${plugin.name}" (line ${plugin.line}) is not modelled`);
  }
}

function runOutput(event: Fields, plugin: PluginNode, run: Run): void {
  const options = new Options(plugin, run.env);
  const { '@metadata': _, ...document } = structuredClone(event);
  const index = options.string('index');
  run.outputs.push({ plugin: plugin.name, index: index === undefined ? undefined : sprintf(event, index), document });
}

function runStatements(event: Fields, statements: readonly Statement[], run: Run, section: 'filter' | 'output'): void {
  for (const statement of statements) {
    if (run.dropped) return;
    if (statement.kind === 'plugin') {
      if (section === 'filter') runFilter(event, statement, run);
      else runOutput(event, statement, run);
      continue;
    }
    const taken = statement.cases.find((c) => evaluate(event, c.condition));
    const body = taken ? taken.body : statement.otherwise;
    if (body) runStatements(event, body, run, section);
  }
}

/** The Logstash event the beats input makes of a Filebeat event (ECS mode, `enrich => ["source_metadata"]`). */
export function beatsInputEvent(beatsEvent: Fields): Fields {
  return {
    ...structuredClone(beatsEvent),
    '@version': '1',
    '@metadata': { beat: 'filebeat', type: '_doc', input: { beats: { host: { name: 'filebeat', ip: '10.0.0.2' } } } },
  };
}

/** Runs one event through the filter and output sections of `config`. */
export function simulatePipeline(config: ConfigNode, event: Fields, env: Readonly<Record<string, string>>): SimulationResult {
  const run: Run = { env, outputs: [], dropped: false };
  const working = structuredClone(event);
  for (const section of config.sections.filter((s) => s.type === 'filter')) runStatements(working, section.body, run, 'filter');
  if (run.dropped) return { event: null, outputs: [] };
  for (const section of config.sections.filter((s) => s.type === 'output')) runStatements(working, section.body, run, 'output');
  return { event: working, outputs: run.outputs };
}
