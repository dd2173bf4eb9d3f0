import { describe, expect, it } from 'vitest';
import type { BranchNode, Condition, PluginNode } from '../support/logstash-grammar/ast.js';
import { checkLogstashPipeline, LogstashSyntaxError, parseLogstashConfig, pluginsOf } from '../support/logstash-grammar/parse.js';

/** The first condition of the first filter statement (a branch) of `filter { <body> }`. */
function conditionOf(text: string): Condition {
  const config = parseLogstashConfig(`filter {\n  if ${text} {\n    mutate { add_tag => ["x"] }\n  }\n}\n`);
  const branch = config.sections[0]!.body[0] as BranchNode;
  return branch.cases[0]!.condition;
}

describe('the LSCL grammar accepts what Logstash accepts', () => {
  it('parses sections, plugins and every value kind', () => {
    const config = parseLogstashConfig(`
# a leading comment
input {
  beats { port => 5044 host => "0.0.0.0" ssl_enabled => true codec => json { target => 'doc' } }
}
filter {
  mutate {
    add_field => { "[a][b]" => "x" 12 => -3.5 bare_key => [1, "two", ['three'], { "k" => "v" }] }
    remove_field => []
  }
}
output { stdout { codec => rubydebug } }
`);
    expect(config.sections.map((s) => s.type)).toEqual(['input', 'filter', 'output']);
    const beats = config.sections[0]!.body[0] as PluginNode;
    expect(beats.attributes.map((a) => [a.name, a.value.kind])).toEqual([
      ['port', 'number'],
      ['host', 'string'],
      ['ssl_enabled', 'bareword'],
      ['codec', 'plugin'],
    ]);
    expect(pluginsOf(config).map((p) => `${p.section}:${p.name}${p.codec ? ':codec' : ''}`)).toEqual([
      'input:beats',
      'input:json:codec',
      'filter:mutate',
      'output:stdout',
      'output:rubydebug:codec',
    ]);
  });

  it.each([
    ['[a] == "x"', 'compare'],
    ['[a] != 1', 'compare'],
    ['[a][b] < 10', 'compare'],
    ['[a] > -1.5', 'compare'],
    ['[a] <= 10', 'compare'],
    ['[a] >= 10', 'compare'],
    ['[message] =~ /^\\d+ \\/ x$/', 'match'],
    ['[message] !~ "^x"', 'match'],
    ['"tag" in [tags]', 'in'],
    ['"tag" not in [tags]', 'in'],
    ['[a] and [b]', 'boolean'],
    ['[a] or [b]', 'boolean'],
    ['[a] nand [b]', 'boolean'],
    ['[a] xor [b]', 'boolean'],
    ['![a]', 'not'],
    ['!([a] == 1 or [b])', 'not'],
    ['([a] == 1)', 'compare'],
    ['[@metadata][source]', 'selector'],
  ])('parses the condition %s', (text, kind) => {
    expect(conditionOf(text).kind).toBe(kind);
  });

  it('keeps boolean operators left-associative, as Logstash evaluates them', () => {
    const condition = conditionOf('[a] and [b] or [c]');
    expect(condition).toMatchObject({ kind: 'boolean', op: 'or', left: { kind: 'boolean', op: 'and' }, right: { kind: 'selector', path: ['c'] } });
  });

  it('parses if / else if / else chains, nested', () => {
    const config = parseLogstashConfig(`filter {
  if [a] { mutate { id => "one" } }
  else if [b] { if [c] { drop { } } else { mutate { id => "two" } } }
  else if [d] == "x" { }
  else { mutate { id => "three" } }
}
`);
    const branch = config.sections[0]!.body[0] as BranchNode;
    expect(branch.cases).toHaveLength(3);
    expect(branch.otherwise).toHaveLength(1);
    expect(pluginsOf(config).map((p) => p.name)).toEqual(['mutate', 'drop', 'mutate', 'mutate']);
  });

  it('accepts comments between plugins and attributes and escaped quotes in strings', () => {
    expect(() =>
      parseLogstashConfig(`filter { # after the brace
  # own line
  mutate { # inside
    id => "a \\" quote" # trailing
    # between attributes
    add_tag => ['it\\'s']
  }
}
`),
    ).not.toThrow();
  });
});

describe('the LSCL grammar rejects what Logstash rejects', () => {
  const broken: Array<[string, string]> = [
    ['an unclosed section', 'filter {\n  mutate { id => "a" }\n'],
    ['an unclosed plugin', 'filter {\n  mutate { id => "a"\n}\n'],
    ['an extra closing brace', 'filter {\n  mutate { id => "a" }\n}\n}\n'],
    ['an unclosed conditional block', 'filter {\n  if [a] {\n    mutate { id => "a" }\n}\n'],
    ['an attribute without =>', 'filter {\n  mutate { add_tag ["x"] }\n}\n'],
    ['an attribute with = instead of =>', 'filter {\n  mutate { add_tag = ["x"] }\n}\n'],
    ['a hash entry without =>', 'filter {\n  mutate { add_field => { "a" "b" } }\n}\n'],
    ['the operator ===', 'filter {\n  if [a] === "x" { }\n}\n'],
    ['the operator <>', 'filter {\n  if [a] <> "x" { }\n}\n'],
    ['the operator &&', 'filter {\n  if [a] && [b] { }\n}\n'],
    ['the operator ||', 'filter {\n  if [a] || [b] { }\n}\n'],
    ['the operator => in a condition', 'filter {\n  if [a] => "x" { }\n}\n'],
    ['an else without an if', 'filter {\n  else { mutate { } }\n}\n'],
    ['an unknown section type', 'filters {\n  mutate { }\n}\n'],
    ['a plugin outside any section', 'mutate { id => "a" }\n'],
    ['an unterminated string', 'filter {\n  mutate { id => "a }\n}\n'],
    ['an array with a trailing comma', 'filter {\n  mutate { add_tag => ["a", ] }\n}\n'],
    ['array items without commas', 'filter {\n  mutate { add_tag => ["a" "b"] }\n}\n'],
    ['attributes without whitespace between them', 'input {\n  beats { port => 5044id => "x" }\n}\n'],
    ['a comma inside a field reference', 'filter {\n  if [a,b] { }\n}\n'],
    ['a one-letter bareword value', 'filter {\n  mutate { id => a }\n}\n'],
    ['a comment between hash entries', 'filter {\n  mutate { add_field => {\n    "a" => "1"\n    # no comments here\n    "b" => "2"\n  } }\n}\n'],
    ['a comment not ended by a newline', 'filter { }\n# last line'],
    ['a regexp on the left of =~ only', 'filter {\n  if =~ /x/ { }\n}\n'],
  ];

  it.each(broken)('rejects %s', (_, text) => {
    expect(() => parseLogstashConfig(text)).toThrow(LogstashSyntaxError);
  });

  it('names the line and column of the error', () => {
    try {
      parseLogstashConfig('filter {\n  mutate {\n    add_tag ["x"]\n  }\n}\n', 'broken.conf');
      expect.unreachable('the broken pipeline parsed');
    } catch (error) {
      expect(error).toBeInstanceOf(LogstashSyntaxError);
      expect((error as LogstashSyntaxError).line).toBe(3);
      expect((error as Error).message).toMatch(/^broken\.conf:3:\d+: /);
    }
  });
});

describe('plugin names are checked against the default distribution', () => {
  it('accepts bundled plugins and codecs', () => {
    expect(() =>
      checkLogstashPipeline('input { beats { port => 5044 codec => json } }\nfilter { grok { } date { } }\noutput { elasticsearch { } stdout { codec => rubydebug } }\n'),
    ).not.toThrow();
  });

  it.each([
    ['a misspelled filter', 'filter { mutatee { } }\n', /no filter plugin named "mutatee"/],
    ['an input used as an output', 'output { beats { } }\n', /no output plugin named "beats"/],
    ['an unknown codec by name', 'input { beats { port => 5044 codec => jsonn } }\n', /no codec plugin named "jsonn"/],
    ['an unknown codec block', 'input { beats { port => 5044 codec => yaml { } } }\n', /no codec plugin named "yaml"/],
    // Grammatically a plugin called "if" (as in Logstash's own grammar); Logstash then fails the lookup.
    ['an if without a condition', 'filter {\n  if { }\n}\n', /no filter plugin named "if"/],
  ])('rejects %s', (_, text, message) => {
    expect(() => checkLogstashPipeline(text)).toThrow(message);
  });
});
