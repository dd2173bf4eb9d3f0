/**
 * What a Filebeat filestream input makes of one log line, modelled on Filebeat's
 * source (libbeat/reader/readjson/json.go and libbeat/common/jsontransform): the
 * ndjson parser with `target: ""`, `expand_keys`, `overwrite_keys` and
 * `add_error_key`, plus the fields the input itself adds. The Logstash simulator
 * takes it from here, as the beats input does.
 */

export interface FilestreamInputConfig {
  readonly id: string;
  readonly fields?: Record<string, unknown>;
  readonly fields_under_root?: boolean;
  readonly parsers?: ReadonlyArray<{ readonly ndjson?: Record<string, unknown> }>;
}

type Fields = Record<string, unknown>;
const isMap = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Filebeat's expandFields: "a.b": 1 becomes a: { b: 1 }, recursively; a key that is both a value and an object is an error. */
function expandKeys(fields: Fields): Fields {
  const out: Fields = {};
  for (const [key, raw] of Object.entries(fields)) {
    const value = isMap(raw) ? expandKeys(raw) : raw;
    const parts = key.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) {
      const existing = target[part];
      if (existing === undefined) target[part] = {};
      else if (!isMap(existing)) throw new Error(`cannot expand "${key}": "${part}" is already a value`);
      target = target[part] as Fields;
    }
    const last = parts.at(-1)!;
    const existing = target[last];
    if (existing === undefined) target[last] = value;
    else if (isMap(existing) && isMap(value)) target[last] = deepUpdate(existing, value);
    else throw new Error(`cannot expand "${key}": "${last}" is given twice`);
  }
  return out;
}

/** mapstr DeepUpdate: objects merge, everything else is replaced. */
function deepUpdate(into: Fields, from: Fields): Fields {
  const out: Fields = { ...into };
  for (const [key, value] of Object.entries(from)) {
    out[key] = isMap(out[key]) && isMap(value) ? deepUpdate(out[key] as Fields, value) : value;
  }
  return out;
}

/** RFC 3339 / ISO 8601 with a zone, as jsontransform.parseTimestamp accepts. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The event Filebeat ships for `line`, read at `offset` of `path` by `input`, as the
 * beats protocol carries it (`@timestamp` plus fields).
 */
export function filebeatEvent(line: string, input: FilestreamInputConfig, path: string, offset: number, readAt = new Date()): Fields {
  let timestamp = readAt.toISOString();
  let event: Fields = {
    log: { offset, file: { path } },
    input: { type: 'filestream' },
    agent: { type: 'filebeat', name: 'filebeat', version: '9.x' },
    ecs: { version: '8.0.0' },
    host: { name: 'filebeat' },
  };
  if (input.fields) {
    event = input.fields_under_root ? deepUpdate(event, input.fields) : { ...event, fields: input.fields };
  }
  const ndjson = input.parsers?.find((p) => p.ndjson)?.ndjson;
  if (!ndjson) return { '@timestamp': timestamp, ...event, message: line };
  if (ndjson.target !== '' || ndjson.overwrite_keys !== true || ndjson.message_key !== undefined) {
    throw new Error(`filebeatEvent models the ndjson parser with target "" and overwrite_keys only; input ${input.id} uses ${JSON.stringify(ndjson)}`);
  }
  const jsonError = (message: string): Fields => (ndjson.add_error_key ? { error: { message, type: 'json' } } : {});

  let decoded: unknown;
  try {
    decoded = JSON.parse(line);
  } catch (error) {
    decoded = undefined;
    return { '@timestamp': timestamp, ...event, ...jsonError(`Error decoding JSON: ${(error as Error).message}`), message: line };
  }
  if (!isMap(decoded)) {
    return { '@timestamp': timestamp, ...event, ...jsonError('Error decoding JSON: not an object'), message: line };
  }
  let keys: Fields = decoded;
  if (ndjson.expand_keys) {
    try {
      keys = expandKeys(keys);
    } catch (error) {
      // The decoded keys are dropped and the raw text was already consumed: only the error remains.
      return { '@timestamp': timestamp, ...event, ...jsonError((error as Error).message) };
    }
  }
  for (const [key, value] of Object.entries(keys)) {
    if (key === '@timestamp') {
      if (typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))) timestamp = new Date(value).toISOString();
      else event = deepUpdate(event, jsonError(`@timestamp not overwritten (parse error on ${String(value)})`));
    } else if (key !== '@metadata') {
      event = deepUpdate(event, { [key]: value });
    }
  }
  return { '@timestamp': timestamp, ...event };
}
