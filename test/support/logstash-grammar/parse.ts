import { readFileSync } from 'node:fs';
import peggy from 'peggy';
import type { ConfigNode, PluginNode, SectionType, Statement } from './ast.js';
import { BUNDLED_PLUGINS } from './bundled-plugins.js';

/** Built once per process from the grammar text (no generated parser checked in). */
let parser: peggy.Parser | undefined;

function lsclParser(): peggy.Parser {
  parser ??= peggy.generate(readFileSync(new URL('./lscl.peggy', import.meta.url), 'utf8'));
  return parser;
}

/** A pipeline text Logstash's config grammar does not accept; the message names line and column. */
export class LogstashSyntaxError extends Error {
  override readonly name = 'LogstashSyntaxError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Parses a Logstash pipeline (`.conf`) text; throws LogstashSyntaxError when Logstash would refuse it. */
export function parseLogstashConfig(text: string, source = 'pipeline'): ConfigNode {
  try {
    return lsclParser().parse(text, { grammarSource: source }) as ConfigNode;
  } catch (error) {
    const e = error as { location?: { start: { line: number; column: number } }; message: string };
    if (!e.location) throw error;
    const { line, column } = e.location.start;
    throw new LogstashSyntaxError(`${source}:${line}:${column}: ${e.message}`, line, column);
  }
}

/** A plugin a config names: a plugin block, or a codec given by name (`codec => json`). */
export interface PluginUse {
  readonly section: SectionType;
  readonly name: string;
  /** True for a codec (`codec => name` or `codec => name { ... }`). */
  readonly codec: boolean;
  /** The plugin block; undefined for a codec named by a bareword or string. */
  readonly plugin?: PluginNode;
  readonly line: number;
}

/** Every plugin a config uses, with its section (plugins inside conditionals and codecs included). */
export function pluginsOf(config: ConfigNode): PluginUse[] {
  const found: PluginUse[] = [];
  const visitPlugin = (section: SectionType, plugin: PluginNode, codec: boolean): void => {
    found.push({ section, name: plugin.name, codec, plugin, line: plugin.line });
    for (const attribute of plugin.attributes) {
      const value = attribute.value;
      if (value.kind === 'plugin') visitPlugin(section, value, true);
      else if (attribute.name === 'codec' && (value.kind === 'bareword' || value.kind === 'string')) {
        found.push({ section, name: value.value, codec: true, line: value.line });
      }
    }
  };
  const visit = (section: SectionType, statements: readonly Statement[]): void => {
    for (const statement of statements) {
      if (statement.kind === 'plugin') {
        visitPlugin(section, statement, false);
      } else {
        for (const c of statement.cases) visit(section, c.body);
        if (statement.otherwise) visit(section, statement.otherwise);
      }
    }
  };
  for (const section of config.sections) visit(section.type, section.body);
  return found;
}

/**
 * Parses a pipeline and checks what Logstash checks next, before any plugin runs: every
 * plugin it names exists in the default distribution. Returns the parsed config.
 */
export function checkLogstashPipeline(text: string, source = 'pipeline'): ConfigNode {
  const config = parseLogstashConfig(text, source);
  for (const use of pluginsOf(config)) {
    const kind = use.codec ? 'codec' : use.section;
    if (!BUNDLED_PLUGINS[kind].has(use.name)) {
      throw new LogstashSyntaxError(`${source}:${use.line}: no ${kind} plugin named "${use.name}" ships with Logstash`, use.line, 1);
    }
  }
  return config;
}
