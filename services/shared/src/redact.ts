/**
 * Keeping secrets out of logs. Log lines are shipped to Elasticsearch and readable by many
 * people, so credentials are removed before a line is written, not filtered downstream.
 *
 * Two guards, both cheap on the lines a request writes (flat ECS fields, no URLs):
 * - `redactFields` replaces the value of every field named like a secret, at any depth;
 * - `scrubSecrets` masks the password of every `scheme://user:password@` in a finished line,
 *   so message text, error messages and stack traces are covered wherever they came from.
 */

/**
 * `scheme://user:password@` -> `scheme://user:***@`. Works on plain text and on JSON text:
 * user and password never cross an unescaped `"`, so a match stays inside one JSON string
 * (the line stays valid JSON), and `\x` escapes count as one character (a password with an
 * escaped quote is still masked).
 */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/(?:[^:/?#@\s"\\]|\\.)*):(?:[^@/?#\s"\\]|\\.)*@/gi;

/** Replaces passwords embedded in URLs (connection strings) with `***`. */
export function scrubSecrets(text: string): string {
  // Every credentialed URL contains "://"; most lines do not, and `includes` is far cheaper than the regex.
  return text.includes('://') ? text.replace(URL_CREDENTIALS, '$1:***@') : text;
}

/** A URL fit for a log line: credentials masked, e.g. `postgres://app:***@db:5432/users`. */
export function redactUrl(url: string): string {
  return scrubSecrets(url);
}

export const REDACTED = '[REDACTED]';

/**
 * Field names whose values are secrets, wherever they appear in a logged object (so
 * `headers.authorization` and `config.DATABASE_URL` are covered too). A dotted ECS name
 * counts by its last part: `url.password` is a password.
 */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'secret',
  'token',
  'authorization',
  'cookie',
  'DATABASE_URL',
  'REDIS_URL',
  'connectionString',
]);

/**
 * Deeper than pino serializes anything (its `depthLimit` is 5 below each top-level field,
 * and it writes `"[Object]"` beyond), so nothing below this depth reaches a line.
 */
const MAX_DEPTH = 8;

/**
 * Verdicts on field names seen so far. Lines reuse a small set of names, so most checks are
 * one lookup instead of a search for the last dot and a substring. Bounded: names beyond it
 * (unusual) are checked each time.
 */
const secretVerdicts = new Map<string, boolean>();
const MAX_VERDICTS = 2_048;

/** Whether a field of this name holds a secret (its own name, or the last part of a dotted one, is in SECRET_FIELDS). */
export function isSecretField(key: string): boolean {
  const known = secretVerdicts.get(key);
  if (known !== undefined) return known;
  const dot = key.lastIndexOf('.');
  const secret = SECRET_FIELDS.has(key) || (dot >= 0 && SECRET_FIELDS.has(key.slice(dot + 1)));
  if (secretVerdicts.size < MAX_VERDICTS) secretVerdicts.set(key, secret);
  return secret;
}

/**
 * `fields` with the value of every secret field replaced by `[REDACTED]`, at any depth.
 * Copy-on-write: the caller's objects are never changed, and when nothing is secret (the
 * common case) the same object comes back without any allocation.
 */
export function redactFields<T extends object>(fields: T): T {
  return redactObject(fields, 0) as T;
}

function redactObject(value: object, depth: number): object {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const redacted = redactValue(item, depth + 1);
      if (redacted !== item) (copy ??= [...value])[index] = redacted;
    });
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    const redacted = item !== undefined && isSecretField(key) ? REDACTED : redactValue(item, depth + 1);
    if (redacted !== item) (copy ??= { ...value })[key] = redacted;
  }
  return copy ?? value;
}

function redactValue(value: unknown, depth: number): unknown {
  // Objects with toJSON (Date, Buffer, URL) serialize to a string or scalar, which the line scrub covers.
  if (value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  return redactObject(value, depth);
}
