import { isIP } from 'node:net';
import type { estypes } from '@elastic/elasticsearch';

/**
 * Checks documents against Elasticsearch index mappings the way Elasticsearch would
 * index them: dotted and nested keys mean the same field, values must be acceptable to
 * the mapped type (with Elasticsearch's default coercion), an object may not land on a
 * value field nor a value on an object field, and fields the mappings do not declare are
 * mapped dynamically by the first document that has them, so a later document that
 * disagrees conflicts exactly as it would in a real index.
 *
 * It refuses to judge what it does not model (an unknown field type or date format)
 * instead of passing it.
 */

export interface MappingViolation {
  /** Dotted field path, e.g. `http.response.status_code`. */
  readonly field: string;
  readonly reason: string;
}

type Mapping = estypes.MappingTypeMapping;
type Property = estypes.MappingProperty;
type Dynamic = estypes.MappingDynamicMapping | boolean | 'true' | 'false';

const INTEGER_RANGES: Record<string, readonly [bigint, bigint]> = {
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
  short: [-32768n, 32767n],
  byte: [-128n, 127n],
  unsigned_long: [0n, 2n ** 64n - 1n],
};
const FLOAT_TYPES = new Set(['float', 'double', 'half_float', 'scaled_float']);
const STRING_TYPES = new Set(['keyword', 'text', 'match_only_text', 'wildcard', 'constant_keyword', 'version']);
const DATE_TYPES = new Set(['date', 'date_nanos']);

/** `strict_date_optional_time`: a date, optionally with time, fraction and zone. */
const OPTIONAL_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

function isValidOptionalTime(text: string): boolean {
  const m = OPTIONAL_TIME.exec(text);
  if (!m) return false;
  const [, , month = '01', day = '01', hour = '00', minute = '00', second = '00'] = m;
  const ranges: Array<[string, number, number]> = [[month, 1, 12], [day, 1, 31], [hour, 0, 23], [minute, 0, 59], [second, 0, 59]];
  return ranges.every(([v, lo, hi]) => Number(v) >= lo && Number(v) <= hi);
}

function dateAccepted(value: unknown, format: string | undefined): boolean {
  const formats = (format ?? 'strict_date_optional_time||epoch_millis').split('||');
  return formats.some((f) => {
    switch (f) {
      case 'strict_date_optional_time':
      case 'date_optional_time':
      case 'strict_date_optional_time_nanos':
        return typeof value === 'string' && isValidOptionalTime(value);
      case 'epoch_millis':
      case 'epoch_second':
        return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value));
      default:
        throw new Error(`mapping checker: date format "${f}" is not modelled; extend dateAccepted() before relying on it`);
    }
  });
}

function integerAccepted(value: unknown, type: string, coerce: boolean): boolean {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return false;
    if (!Number.isInteger(value) && !coerce) return false;
    text = String(Math.trunc(value));
  } else if (typeof value === 'string' && coerce) {
    if (!/^\s*-?\d+(\.\d+)?\s*$/.test(value)) return false;
    text = value.trim().split('.')[0]!;
  } else {
    return false;
  }
  const [lo, hi] = INTEGER_RANGES[type]!;
  const n = BigInt(text);
  return n >= lo && n <= hi;
}

function floatAccepted(value: unknown, coerce: boolean): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return coerce && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
}

/** Whether Elasticsearch would index `value` (a scalar) into a field of this leaf mapping. */
function scalarAccepted(value: string | number | boolean, property: Property & { type: string }): string | undefined {
  const type = property.type;
  const coerce = (property as { coerce?: boolean }).coerce ?? true;
  if (STRING_TYPES.has(type)) {
    const constant = (property as estypes.MappingConstantKeywordProperty).value;
    if (type === 'constant_keyword' && constant !== undefined && String(value) !== String(constant)) {
      return `constant_keyword field holds "${String(constant)}", got "${String(value)}"`;
    }
    return undefined;
  }
  if (type in INTEGER_RANGES) return integerAccepted(value, type, coerce) ? undefined : `${type} field cannot hold ${JSON.stringify(value)}`;
  if (FLOAT_TYPES.has(type)) return floatAccepted(value, coerce) ? undefined : `${type} field cannot hold ${JSON.stringify(value)}`;
  if (DATE_TYPES.has(type)) {
    return dateAccepted(value, (property as estypes.MappingDateProperty).format) ? undefined : `${type} field cannot parse ${JSON.stringify(value)}`;
  }
  if (type === 'ip') return typeof value === 'string' && isIP(value) !== 0 ? undefined : `ip field cannot hold ${JSON.stringify(value)}`;
  if (type === 'boolean') {
    return value === true || value === false || value === 'true' || value === 'false' || value === '' ? undefined : `boolean field cannot hold ${JSON.stringify(value)}`;
  }
  if (type === 'flattened') return undefined;
  throw new Error(`mapping checker: field type "${type}" is not modelled; extend scalarAccepted() before relying on it`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isObjectMapping(property: Property): boolean {
  const type = (property as { type?: string }).type;
  return type === undefined || type === 'object' || type === 'nested';
}

/** The mapping Elasticsearch derives for a new field from its first value (dynamic mapping). */
function dynamicMappingFor(value: unknown, templates: Mapping['dynamic_templates'], dateDetection: boolean): Property {
  const matchType = isPlainObject(value)
    ? 'object'
    : typeof value === 'string'
      ? 'string'
      : typeof value === 'boolean'
        ? 'boolean'
        : Number.isInteger(value)
          ? 'long'
          : 'double';
  for (const entry of templates ?? []) {
    for (const template of Object.values(entry as Record<string, estypes.MappingDynamicTemplate>)) {
      const wanted = template.match_mapping_type;
      const matches = wanted === undefined || wanted === '*' || wanted === matchType || (Array.isArray(wanted) && wanted.includes(matchType));
      const unsupported = template.match ?? template.unmatch ?? template.path_match ?? template.path_unmatch ?? template.match_pattern;
      if (unsupported !== undefined) throw new Error('mapping checker: dynamic templates with match/path_match are not modelled');
      if (matches && template.mapping) return template.mapping;
    }
  }
  if (matchType === 'object') return { type: 'object', properties: {} };
  if (matchType === 'string') {
    if (dateDetection && typeof value === 'string' && isValidOptionalTime(value) && /^\d{4}[-/]\d{2}[-/]\d{2}/.test(value)) return { type: 'date' };
    return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
  }
  if (matchType === 'boolean') return { type: 'boolean' };
  return matchType === 'long' ? { type: 'long' } : { type: 'float' };
}

/**
 * A checker bound to one index's mappings. Like an index, it remembers the dynamic
 * mappings earlier documents created, so check every document of a stream with one checker.
 */
export class MappingChecker {
  private readonly root: Mapping;

  constructor(mappings: Mapping) {
    // A private copy: dynamic fields are added to it as documents introduce them.
    this.root = structuredClone(mappings);
  }

  /** Violations Elasticsearch would reject `document` for (an empty list: it indexes cleanly). */
  check(document: Record<string, unknown>): MappingViolation[] {
    const violations: MappingViolation[] = [];
    const seen = new Set<string>();
    this.visitObject(document, [], this.root.properties ?? (this.root.properties = {}), this.root.dynamic ?? true, violations, seen);
    return violations;
  }

  private visitObject(
    object: Record<string, unknown>,
    path: string[],
    properties: Record<string, Property>,
    dynamic: Dynamic,
    violations: MappingViolation[],
    seen: Set<string>,
  ): void {
    for (const [key, value] of Object.entries(object)) {
      if (key === '') {
        violations.push({ field: [...path, '(empty)'].join('.'), reason: 'empty field name' });
        continue;
      }
      // "a.b": {...} is the object a holding b: split and descend, creating the path as objects.
      const segments = key.split('.');
      if (segments.some((s) => s === '')) {
        violations.push({ field: [...path, key].join('.'), reason: 'field name with an empty segment' });
        continue;
      }
      let props = properties;
      let dyn = dynamic;
      let here = [...path];
      let blocked = false;
      for (const segment of segments.slice(0, -1)) {
        here = [...here, segment];
        const existing = props[segment];
        if (existing === undefined) {
          const created = this.createDynamic(here, { '': {} }, dyn, violations, props, segment, true);
          if (!created) {
            blocked = true;
            break;
          }
          props = (created as estypes.MappingObjectProperty).properties!;
          continue;
        }
        if (!isObjectMapping(existing)) {
          violations.push({ field: here.join('.'), reason: `mapped as ${(existing as { type: string }).type}, but "${key}" uses it as an object` });
          blocked = true;
          break;
        }
        const objectProperty = existing as estypes.MappingObjectProperty;
        if (objectProperty.enabled === false) {
          blocked = true;
          break;
        }
        dyn = objectProperty.dynamic ?? dyn;
        props = objectProperty.properties ??= {};
      }
      if (blocked) continue;
      this.visitValue(value, [...here, segments.at(-1)!], props, segments.at(-1)!, dyn, violations, seen);
    }
  }

  private visitValue(
    value: unknown,
    path: string[],
    properties: Record<string, Property>,
    name: string,
    dynamic: Dynamic,
    violations: MappingViolation[],
    seen: Set<string>,
  ): void {
    const field = path.join('.');
    if (value === null || value === undefined) return; // null is "no value" to Elasticsearch
    if (Array.isArray(value)) {
      const kinds = new Set(value.filter((v) => v !== null).map((v) => (isPlainObject(v) ? 'object' : Array.isArray(v) ? 'array' : 'value')));
      if (kinds.size > 1) violations.push({ field, reason: 'array mixes objects and values' });
      this.markWritten(field, violations, seen);
      // Items repeat the same fields legitimately: each is checked on its own.
      for (const item of value) this.visitValue(item, path, properties, name, dynamic, violations, new Set());
      return;
    }
    let property: Property | undefined = properties[name];
    if (property === undefined) {
      property = this.createDynamic(path, value, dynamic, violations, properties, name, false);
      if (property === undefined) return;
    }
    if (isPlainObject(value)) {
      if (!isObjectMapping(property)) {
        if ((property as { type?: string }).type === 'flattened') return;
        violations.push({ field, reason: `mapped as ${(property as { type: string }).type}, got an object` });
        return;
      }
      const objectProperty = property as estypes.MappingObjectProperty;
      if (objectProperty.enabled === false) return;
      this.visitObject(value, path, (objectProperty.properties ??= {}), objectProperty.dynamic ?? dynamic, violations, seen);
      return;
    }
    if (isObjectMapping(property)) {
      violations.push({ field, reason: `mapped as an object, got the value ${JSON.stringify(value)}` });
      return;
    }
    this.markWritten(field, violations, seen);
    const problem = scalarAccepted(value as string | number | boolean, property as Property & { type: string });
    if (problem) violations.push({ field, reason: problem });
  }

  /** A leaf given twice in one document (`"a.b"` and `"a": {"b"}`) becomes a two-valued field. */
  private markWritten(field: string, violations: MappingViolation[], seen: Set<string>): void {
    if (seen.has(field)) {
      violations.push({ field, reason: 'written twice in one document (dotted and nested forms both present); Elasticsearch would index both values' });
    }
    seen.add(field);
  }

  /** Maps a new field the way `dynamic` says; returns its mapping, or undefined when it is not indexed. */
  private createDynamic(
    path: string[],
    value: unknown,
    dynamic: Dynamic,
    violations: MappingViolation[],
    properties: Record<string, Property>,
    name: string,
    asObject: boolean,
  ): Property | undefined {
    const mode = String(dynamic);
    if (mode === 'strict') {
      violations.push({ field: path.join('.'), reason: 'not in the mappings, and dynamic is strict' });
      return undefined;
    }
    if (mode === 'false') return undefined; // kept in _source, not indexed: never a rejection
    if (mode === 'runtime') return undefined; // becomes a runtime field: never a rejection
    const mapping = asObject
      ? ({ type: 'object', properties: {} } satisfies Property)
      : dynamicMappingFor(value, this.root.dynamic_templates, this.root.date_detection ?? true);
    properties[name] = mapping;
    return mapping;
  }
}

/** Whether a data stream name matches an index template pattern (`*` wildcards). */
export function matchesIndexPattern(name: string, pattern: string): boolean {
  const regex = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${regex}$`).test(name);
}
