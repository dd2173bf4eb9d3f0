/**
 * fast-check generators for hostile requests against the service contract (DESIGN.md):
 * ids, bodies, headers and query strings that are wrong in the ways clients get things
 * wrong (wrong types, out-of-range numbers, malformed JSON, odd content types, long and
 * strange header values), mixed with valid ones so the happy paths are exercised too.
 */
import fc from 'fast-check';

/** A request as the fuzz tests send it. */
export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Path-segment values that break naive integer parsing or overflow a database column. */
const NASTY_IDS = [
  '0', '-1', '1.5', '1e3', '+1', ' 1', '1 ', '00001', '0x10', 'abc', 'NaN', 'Infinity', 'null', 'true',
  '2147483647', '2147483648', '9007199254740991', '9007199254740993', '9'.repeat(40), '-9'.repeat(20),
  '%00', '%20', '%2F', '..', '%2e%2e', "1'--", '1;DROP TABLE users', '１', '١',
];

/** Percent-encodes what cannot go on the request line (spaces, controls, non-ASCII), keeps the rest as is (`%00` stays a raw escape). */
function toPathSafe(segment: string): string {
  return segment.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** One path segment (already percent-encoded where needed). */
export const idSegment = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 2_000 }).map(String) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_IDS).map(toPathSafe) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
);

/** Printable-ASCII header values (what an HTTP client can put on the wire), sane or not. */
const headerValue = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._-]{1,128}$/),
  fc.string({ unit: 'binary-ascii', maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim()),
  fc.constant('x'.repeat(4000)),
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  ';;;',
];

/** Headers: maybe a request id, maybe an Idempotency-Key, maybe a content type, maybe junk. */
export const headers = fc
  .record(
    {
      'x-request-id': headerValue,
      'idempotency-key': headerValue,
      'content-type': fc.constantFrom(...CONTENT_TYPES),
      accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml', ''),
      'x-forwarded-for': fc.constantFrom('127.0.0.1', 'not-an-ip', '::1, 10.0.0.1'),
      'x-junk': headerValue,
    },
    { requiredKeys: [] },
  )
  .map((h) => Object.fromEntries(Object.entries(h).filter(([, value]) => value !== '')) as Record<string, string>);

/** JSON values of every kind, for fields that expect one specific kind. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, true, 0, -1, 1.5, 1e308, '', ' ', '0', '-0', 'NaN', '1e2', '9'.repeat(60), 'x'.repeat(10_000)),
);

/** Bodies for POST /users: valid, almost valid and not at all. */
export function userBody(): fc.Arbitrary<string> {
  const record = fc.record(
    {
      email: fc.oneof(fc.emailAddress(), fc.constantFrom('a@b', '@x.y', 'A@B.CO', ' a@b.co ', `${'a'.repeat(300)}@x.io`), anyJson),
      name: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.constant('x'.repeat(5000)), anyJson),
      extra: anyJson,
    },
    { requiredKeys: [] },
  );
  const nearlyValid = fc.record({ email: fc.emailAddress(), name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }) });
  return malformedOr(record, nearlyValid);
}

/** Money-like strings and numbers, including precision and range the contract refuses. */
const totals = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer({ min: -10, max: 1_000_000 }),
  fc.constantFrom('12.50', '0', '0.00', '12.345', '-1', '1e2', '1,5', ' 1', '.5', '5.', '0x10', '9'.repeat(40), '9'.repeat(20) + '.99', 'NaN', 'Infinity'),
  fc.string({ maxLength: 20 }),
);

/** Bodies for POST /orders; `userIds` are ids known to exist, so some bodies reach the database. */
export function orderBody(userIds: readonly number[]): fc.Arbitrary<string> {
  const userId = fc.oneof(
    fc.constantFrom(...userIds),
    fc.constantFrom(...NASTY_IDS).map((s) => (/^-?\d+$/.test(s) ? Number(s) : s)),
    anyJson,
  );
  const record = fc.record({ user_id: userId, total: fc.oneof(totals, anyJson), extra: anyJson }, { requiredKeys: [] });
  const someUserId = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...userIds) }, fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constant(2 ** 53 - 1));
  const nearlyValid = fc.record({ user_id: someUserId, total: totals });
  return malformedOr(record, nearlyValid);
}

/**
 * JSON of `record` (fields of any kind, any subset), or of `nearlyValid` (the right fields
 * with valid or edge-case values, so requests reach the database), or JSON of the wrong
 * shape, or text that is not JSON at all.
 */
function malformedOr(record: fc.Arbitrary<Record<string, unknown>>, nearlyValid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: record.map((r) => JSON.stringify(r)) },
    { weight: 3, arbitrary: nearlyValid.map((r) => JSON.stringify(r)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: record.map((r) => JSON.stringify(r).slice(0, -1)) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        'null',
        '[]',
        '"just a string"',
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
        '['.repeat(10_000) + ']'.repeat(10_000),
        '{"a":'.repeat(2_000) + '1' + '}'.repeat(2_000),
        '\uFEFF{}',
      ),
    },
  );
}

/** Query strings, e.g. for `GET /orders?user_id=N`: valid, repeated, nested, broken. */
export const queryString = fc.oneof(
  idSegment.map((id) => `?user_id=${id}`),
  fc.tuple(idSegment, idSegment).map(([a, b]) => `?user_id=${a}&user_id=${b}`),
  fc.constantFrom('', '?', '?user_id', '?user_id=', '?user_id[]=1', '?user_id[a]=1', '?user_id=1&limit=-1', '?%zz=1', '?user_id=%ff', '?&&&=&'),
  fc.webQueryParameters().map((q) => `?${q}`),
);

const OTHER_METHODS = ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

/** A method: mostly the route's own, sometimes another. */
export function method(own: string): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(own) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS, own === 'GET' ? 'POST' : 'GET') });
}
