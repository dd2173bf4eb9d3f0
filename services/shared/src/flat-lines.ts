import { pino, type Logger } from 'pino';

/**
 * The lines a service writes most (a request's completion line, its domain event) are flat:
 * every field a string, number, boolean or null. pino serializes any line key by key in
 * JavaScript (each key and string value escaped character by character, then joined: a
 * string of many pieces that has to be copied together again before it can be written),
 * a large part of what logging cost a cached read (BENCHMARKS.md, round 4). V8's own
 * `JSON.stringify` writes such an object in one native pass, as one flat string.
 *
 * So a flat line takes that path; any other line (an error, a nested object, a secret to
 * redact, a field with a pino serializer, a non-string message, a logger with pino `redact`
 * paths) goes through pino's own serializer as before.
 * The layout stays pino's: level, time and the logger's bindings first, then the fields, then
 * the message (pino v10.4.0 lib/tools.js `_asJson`, swapped in through the instance's
 * `pino.symbols.asJsonSym`, which pino calls for every line in lib/proto.js `write` and
 * children inherit). For well-formed text both paths write the same bytes (a test compares
 * them); the one difference is a lone UTF-16 surrogate, which `JSON.stringify` escapes and
 * pino writes raw.
 */

type AsJson = (this: Logger, obj: Record<string, unknown>, msg: unknown, level: number, time: string) => string;
type PinoInternals = Record<symbol, unknown>;

const { asJsonSym, lsCacheSym, chindingsSym, endSym, messageKeySym, stringifiersSym, nestedKeySym, mixinSym } = pino.symbols;
const serializersSym = Symbol.for('pino.serializers');

/**
 * Whether `obj` can be written as it is: scalars only, no field the log formatter would
 * change and none with a pino serializer. One pass over the keys instead of the formatter's
 * and pino's own.
 */
function writableAsIs(obj: Record<string, unknown>, serializers: Record<string, unknown>, formatterChanges: (key: string) => boolean): boolean {
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) return false;
    const value = obj[key];
    const type = typeof value;
    if (type === 'object' ? value !== null : type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'undefined') return false;
    if (serializers[key] !== undefined || (value !== undefined && formatterChanges(key))) return false;
  }
  return true;
}

/**
 * A line's fields with part of them already written as JSON by their producer (the
 * completion line's fixed http fields: building and checking an object for them costs more
 * than writing them). `json` holds those as JSON members (`,"key":value` each; keys that no
 * formatter or serializer changes, values properly escaped), `rest` the others as an object.
 * A logger that `acceptsPartlySerialized` writes `json` as it is and serializes `rest` like
 * any line; should `rest` not be flat, it gets `expand()` (every field as one object) and
 * pino's serializer. Give one only to such a logger: pino's own serializer knows nothing of it.
 */
export abstract class PartlySerializedFields {
  /** The members in `json`, by name (checked against the logger's serializers). */
  abstract readonly serializedKeys: readonly string[];
  abstract readonly json: string;
  abstract readonly rest: Record<string, unknown> | undefined;
  abstract expand(): Record<string, unknown>;
}

/** The asJson functions of loggers made to write flat lines natively (children inherit them). */
const nativeSerializers = new WeakSet<AsJson>();

/**
 * Whether `logger` writes PartlySerializedFields: made by serializeFlatLinesNatively, and no
 * mixin (a mixin's fields are merged into the object pino is given, which would then be neither).
 */
export function acceptsPartlySerialized(logger: object): boolean {
  const internals = logger as PinoInternals;
  return nativeSerializers.has(internals[asJsonSym] as AsJson) && !internals[mixinSym];
}

function noSerializerFor(keys: readonly string[], serializers: Record<string, unknown>): boolean {
  for (const key of keys) if (serializers[key] !== undefined) return false;
  return true;
}

/**
 * Makes `logger` (and every child made from it afterwards) write flat lines with
 * `JSON.stringify`. `formatterChanges` names the fields the logger's log formatter would
 * change (secrets it redacts, keys it rewrites): a line with one goes through pino and its
 * formatter, as before.
 */
export function serializeFlatLinesNatively(logger: Logger, formatterChanges: (key: string) => boolean): void {
  const internals = logger as unknown as PinoInternals;
  const generic = internals[asJsonSym] as AsJson;
  // pino's own `redact` paths and `nestedKey` change a line's layout: a logger with either keeps pino's serializer.
  const rootStringifiers = internals[stringifiersSym] as object;
  if (Reflect.ownKeys(rootStringifiers).length > 0 || internals[nestedKeySym]) return;
  const asJson: AsJson = function (obj, msg, level, time) {
    const self = this as unknown as PinoInternals;
    const serializers = self[serializersSym] as Record<string, unknown>;
    const messageKey = self[messageKeySym] as string;
    // A child made with its own `redact` option has stringifiers of its own.
    const native = self[stringifiersSym] === rootStringifiers && (msg === undefined || typeof msg === 'string') && serializers[messageKey] === undefined;
    let serialized = '';
    let rest: Record<string, unknown> | undefined = obj;
    if (obj instanceof PartlySerializedFields) {
      const writable = native && noSerializerFor(obj.serializedKeys, serializers) && (obj.rest === undefined || writableAsIs(obj.rest, serializers, formatterChanges));
      if (!writable) return generic.call(this, obj.expand(), msg, level, time);
      serialized = obj.json;
      rest = obj.rest;
    } else if (!native || !writableAsIs(obj, serializers, formatterChanges)) {
      return generic.call(this, obj, msg, level, time);
    }
    const body = rest === undefined ? '{}' : JSON.stringify(rest);
    const fields = body.length > 2 ? `${serialized},${body.slice(1, -1)}` : serialized;
    const message = msg === undefined ? '' : `,"${messageKey}":${JSON.stringify(msg)}`;
    return (self[lsCacheSym] as Record<number, string>)[level]! + time + (self[chindingsSym] as string) + fields + message + (self[endSym] as string);
  };
  nativeSerializers.add(asJson);
  internals[asJsonSym] = asJson;
}
