/**
 * Keeping secrets out of logs. Log lines are shipped to Elasticsearch and readable by many
 * people, so credentials are removed before a line is written, not filtered downstream.
 */

/** `scheme://user:password@` -> `scheme://user:***@` anywhere in a string. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi;

/** Replaces passwords embedded in URLs (connection strings) with `***`. */
export function scrubSecrets(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1:***@');
}

/** A URL fit for a log line: credentials masked, e.g. `postgres://app:***@db:5432/users`. */
export function redactUrl(url: string): string {
  return scrubSecrets(url);
}

/** pino `redact` paths: object keys that hold secrets wherever a caller might log them. */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'DATABASE_URL',
  'REDIS_URL',
  '*.DATABASE_URL',
  '*.REDIS_URL',
  'connectionString',
  '*.connectionString',
];
