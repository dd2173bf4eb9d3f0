import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { acceptsPartlySerialized, PartlySerializedFields, serializeFlatLinesNatively } from '../src/flat-lines.js';
import { isSecretField, redactFields } from '../src/redact.js';

const ECS_REWRITTEN = ['err', 'req', 'res'];

/** Two loggers configured alike (the services' ECS options, a fixed clock), one with the native path. */
function pair(): { native: Logger; generic: Logger; written: { native: string[]; generic: string[] }; nativeFormatterCalls: () => number } {
  const written = { native: [] as string[], generic: [] as string[] };
  let formatterCalls = 0;
  const make = (into: string[], counted: boolean) => {
    const ecs = ecsFormat({ serviceName: 'user-service', serviceEnvironment: 'dev', convertErr: true, apmIntegration: false });
    const log = (fields: Record<string, unknown>) => {
      if (counted) formatterCalls += 1;
      return redactFields(ecs.formatters!.log!(fields));
    };
    return pino({ ...ecs, formatters: { ...ecs.formatters, log }, timestamp: () => ',"@timestamp":"2026-12-03T10:00:00.000Z"' }, { write: (line: string) => void into.push(line) });
  };
  const native = make(written.native, true);
  serializeFlatLinesNatively(native, (key) => ECS_REWRITTEN.includes(key) || isSecretField(key));
  return { native, generic: make(written.generic, false), written, nativeFormatterCalls: () => formatterCalls };
}

const FLAT_LINES: [Record<string, unknown>, string | undefined][] = [
  [{ 'http.request.method': 'GET', 'url.path': '/users/1', 'http.response.status_code': 200, 'event.duration': 55823 }, 'request completed'],
  [{ quote: 'say "hi"', backslash: 'C:\\temp', control: 'tab\there\nnewline\u0001', unicode: 'Zürich 東京 🚀' }, 'msg with "quotes" and \\ and \n'],
  [{ long: `${'x'.repeat(60)}"${'y'.repeat(60)}`, longPlain: 'z'.repeat(100) }, 'l'.repeat(80)],
  [{ nan: Number.NaN, inf: Number.POSITIVE_INFINITY, negativeZero: -0, big: 1e21, small: 1e-7, fraction: 0.1 + 0.2 }, undefined],
  [{ yes: true, no: false, nothing: null, missing: undefined, '': 'empty key', 'key "quoted"': 1 }, ''],
  [{}, 'message only'],
  [{ 10: 'integer-like keys first', a: 1, 2: 'b' }, 'ordered'],
];

describe('serializeFlatLinesNatively', () => {
  it('writes every flat line byte for byte as pino does, on the root and on children', () => {
    const { native, generic, written, nativeFormatterCalls } = pair();
    for (const [fields, message] of FLAT_LINES) {
      for (const [a, b] of [
        [native, generic],
        [native.child({ 'http.request.id': 'r-1' }), generic.child({ 'http.request.id': 'r-1' })],
      ] as const) {
        a.info(fields, message);
        b.info(fields, message);
      }
    }
    expect(written.native).toHaveLength(FLAT_LINES.length * 2);
    expect(nativeFormatterCalls()).toBe(0); // written by the native path, not pino's serializer
    expect(written.native).toEqual(written.generic);
    for (const line of written.native) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('leaves every other line to pino: errors, nested objects, secrets to redact, non-string messages', () => {
    const { native, generic, written, nativeFormatterCalls } = pair();
    const others: [Record<string, unknown>, unknown][] = [
      [{ err: new Error('boom') }, 'failed'],
      [{ user: { id: '1', tags: ['a'] } }, 'nested'],
      [{ 'url.password': 'hunter2', authorization: 'Bearer x' }, 'secrets'],
      [{ count: 10n }, 'bigint'],
      [{ 'event.action': 'x' }, { not: 'a string' }],
      [{ req: 'GET /', res: 200 }, 'keys the ECS formatter rewrites, even as scalars'],
    ];
    for (const [fields, message] of others) {
      (native.info as (o: object, m: unknown) => void)(fields, message);
      (generic.info as (o: object, m: unknown) => void)(fields, message);
    }
    expect(written.native).toEqual(written.generic);
    expect(nativeFormatterCalls()).toBe(others.length);
    const [error, nested, secrets] = written.native.map((line) => JSON.parse(line) as Record<string, unknown>);
    // A child with pino's own redact paths keeps pino's serializer, so the paths apply.
    native.child({}, { redact: ['hint'] }).info({ hint: 'abc' }, 'pino redact');
    expect(JSON.parse(written.native.at(-1)!)).toMatchObject({ hint: '[Redacted]' });
    expect(error).toMatchObject({ error: { message: 'boom', type: 'Error' } });
    expect(nested).toMatchObject({ user: { id: '1', tags: ['a'] } });
    expect(secrets).toMatchObject({ 'url.password': '[REDACTED]', authorization: '[REDACTED]' });
  });
});

/** Fields given as `,"a":1,"b":"x"` JSON text plus a rest object, as the completion line does. */
class Partly extends PartlySerializedFields {
  readonly serializedKeys = ['a', 'b'];
  readonly json = ',"a":1,"b":"x \\"quoted\\""';
  constructor(readonly rest: Record<string, unknown> | undefined) {
    super();
  }
  expand(): Record<string, unknown> {
    return { a: 1, b: 'x "quoted"', ...this.rest };
  }
}

describe('PartlySerializedFields', () => {
  it('writes the serialized part as it is and the rest as a flat line, byte for byte what pino writes of all the fields', () => {
    const { native, generic, written, nativeFormatterCalls } = pair();
    const rests = [undefined, {}, { 'event.action': 'user_fetched', 'user.id': '1', skipped: undefined }, { quote: 'say "hi"', n: 0.5, yes: true, nothing: null }];
    for (const rest of rests) {
      const partly = new Partly(rest);
      native.child({ 'http.request.id': 'r-1' }).info(partly, 'request completed');
      generic.child({ 'http.request.id': 'r-1' }).info(partly.expand(), 'request completed');
    }
    expect(nativeFormatterCalls()).toBe(0);
    expect(written.native).toEqual(written.generic);
    expect(JSON.parse(written.native[2]!)).toMatchObject({ a: 1, b: 'x "quoted"', 'event.action': 'user_fetched', message: 'request completed' });
  });

  it('gives pino all the fields (expand) when the rest is not flat, holds a secret, or a serialized key has a serializer', () => {
    const { native, generic, written, nativeFormatterCalls } = pair();
    const rests = [{ err: new Error('boom') }, { nested: { id: 1 } }, { 'url.password': 'hunter2' }];
    for (const rest of rests) {
      native.info(new Partly(rest), 'other');
      generic.info(new Partly(rest).expand(), 'other');
    }
    const withSerializer = { serializers: { b: (value: string) => value.toUpperCase() } };
    native.child({}, withSerializer).info(new Partly(undefined), 'serializer');
    generic.child({}, withSerializer).info(new Partly(undefined).expand(), 'serializer');
    expect(written.native).toEqual(written.generic);
    expect(nativeFormatterCalls()).toBe(rests.length + 1);
    expect(JSON.parse(written.native[2]!)).toMatchObject({ 'url.password': '[REDACTED]' });
    expect(JSON.parse(written.native[3]!)).toMatchObject({ b: 'X "QUOTED"' });
  });

  it('is accepted only by loggers that write flat lines natively, and not with a mixin', () => {
    const { native, generic } = pair();
    expect(acceptsPartlySerialized(native)).toBe(true);
    expect(acceptsPartlySerialized(native.child({ 'http.request.id': 'r-1' }))).toBe(true);
    expect(acceptsPartlySerialized(generic)).toBe(false);
    const mixed = pino({ mixin: () => ({ 'trace.id': 't' }) }, { write: () => undefined });
    serializeFlatLinesNatively(mixed, () => false);
    expect(acceptsPartlySerialized(mixed)).toBe(false);
  });
});
