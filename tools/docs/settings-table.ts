/**
 * Generates the README's table of configuration settings from the zod schema
 * (stacks/config/schema.ts) and the shipped environments, so the two cannot drift.
 *
 *   tsx tools/docs/settings-table.ts           print the table
 *   tsx tools/docs/settings-table.ts --write   rewrite README.md between the settings markers
 *   tsx tools/docs/settings-table.ts --check   exit 1 when README.md's table is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ENVIRONMENTS, EnvironmentConfigSchema, resolveEnvironmentConfig, type EnvironmentSettings } from '../../stacks/config/index.js';

export const SETTINGS_START = '<!-- settings:start -->';
export const SETTINGS_END = '<!-- settings:end -->';

/** The subset of JSON Schema that z.toJSONSchema produces for this schema. */
interface JsonSchema {
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly properties?: Record<string, JsonSchema>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly propertyNames?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: string;
  readonly pattern?: string;
}

export interface SettingRow {
  /** Dotted path as written in an environment, e.g. `elasticsearch.heapMb`; `<key>` marks a map key. */
  readonly path: string;
  /** Path segments to read the value from a resolved config (a map row stops at the map). */
  readonly valuePath: readonly string[];
  readonly type: string;
  readonly defaultValue: string;
  readonly description: string;
}

/** Patterns longer than this are left to the description and the validation message. */
const MAX_PATTERN_LENGTH = 60;

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function describeType(node: JsonSchema): string {
  if (node.enum) return `one of ${node.enum.map(code).join(', ')}`;
  if (node.anyOf?.every((option) => option.const !== undefined)) return node.anyOf.map((option) => code(option.const)).join(' or ');
  // zod's int() adds the safe-integer bounds; those are no real limit worth printing.
  const min = node.minimum !== undefined && node.minimum > Number.MIN_SAFE_INTEGER ? node.minimum : undefined;
  const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  const range = min !== undefined && max !== undefined ? ` ${min}–${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : '';
  if (node.type === 'integer') return `integer${range}`;
  if (node.type === 'number') return `number${range}`;
  if (node.type === 'boolean') return 'boolean';
  if (node.type === 'string') {
    if (node.format === 'ipv4') return 'IPv4 address';
    if (node.format === 'uri') return 'URL';
    if (node.pattern && node.pattern.length <= MAX_PATTERN_LENGTH) return `string matching ${code(node.pattern)}`;
    return node.pattern ? 'string (validated format)' : 'string';
  }
  return node.type ?? 'value';
}

function describeDefault(node: JsonSchema): string {
  if (node.default === undefined) return 'unset';
  if (typeof node.default === 'object' && node.default !== null && Object.keys(node.default).length === 0) return 'none';
  return code(node.default);
}

/** One row per setting: nested objects are walked, maps (records) become one `<key>` row. */
export function settingRows(node: JsonSchema = z.toJSONSchema(EnvironmentConfigSchema, { io: 'input' }) as JsonSchema, prefix: readonly string[] = []): SettingRow[] {
  const rows: SettingRow[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = [...prefix, key];
    if (child.type === 'object' && child.properties) {
      rows.push(...settingRows(child, path));
    } else if (child.type === 'object' && typeof child.additionalProperties === 'object') {
      const keys = child.propertyNames?.enum;
      const keyName = keys ? 'component' : 'service';
      const keyNote = keys ? `; \`<component>\`: ${keys.map(code).join(', ')}` : '; `<service>`: a declared service name';
      rows.push({
        path: `${path.join('.')}.<${keyName}>`,
        valuePath: path,
        type: `${describeType(child.additionalProperties)}${keyNote}`,
        defaultValue: describeDefault(child),
        description: child.description ?? '',
      });
    } else {
      rows.push({ path: path.join('.'), valuePath: path, type: describeType(child), defaultValue: describeDefault(child), description: child.description ?? '' });
    }
  }
  return rows;
}

function valueAt(config: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], config);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function environmentValue(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${code(v)}`)
      .join(', ');
  }
  return code(value);
}

/** The markdown table: setting, type, default, then one column per shipped environment (blank = default). */
export function renderSettingsTable(): string {
  const environments = Object.entries(ENVIRONMENTS as Record<string, EnvironmentSettings>);
  const defaults = resolveEnvironmentConfig('defaults', {});
  const resolved = environments.map(([name, settings]) => resolveEnvironmentConfig(name, settings));
  const header = ['Setting', 'Type / allowed values', 'Default', ...environments.map(([name]) => `\`${name}\``), 'Description'];
  const lines = [
    `<!-- Generated from stacks/config/schema.ts and stacks/config/environments.ts by \`npm run docs:settings\`; do not edit by hand. -->`,
    'Each environment in `stacks/config/environments.ts` sets only what differs from the defaults; an environment column shows its value where it differs (blank: the default). A wrong value fails `npm run synth` with a message naming the setting.',
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
  ];
  for (const row of settingRows()) {
    const standard = JSON.stringify(valueAt(defaults, row.valuePath));
    const perEnvironment = resolved.map((config) => {
      const value = valueAt(config, row.valuePath);
      return JSON.stringify(value) === standard ? '' : environmentValue(value);
    });
    lines.push(`| ${[`\`${row.path}\``, row.type, row.defaultValue, ...perEnvironment, row.description].map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** `readme` with everything between the settings markers replaced by `table`. */
export function replaceSettingsSection(readme: string, table: string): string {
  const start = readme.indexOf(SETTINGS_START);
  const end = readme.indexOf(SETTINGS_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md needs the markers ${SETTINGS_START} and ${SETTINGS_END} (in that order) around the settings table`);
  }
  return `${readme.slice(0, start + SETTINGS_START.length)}\n${table}\n${readme.slice(end)}`;
}

export const README_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../README.md');

function main(args: readonly string[]): number {
  const table = renderSettingsTable();
  if (!args.includes('--write') && !args.includes('--check')) {
    console.log(table);
    return 0;
  }
  const readme = readFileSync(README_PATH, 'utf8');
  const updated = replaceSettingsSection(readme, table);
  if (args.includes('--check')) {
    if (updated === readme) return 0;
    console.error('README.md settings table is out of date: run `npm run docs:settings`.');
    return 1;
  }
  if (updated !== readme) writeFileSync(README_PATH, updated);
  console.log(updated === readme ? 'README.md settings table is up to date.' : 'Rewrote the settings table in README.md.');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
