import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ENVIRONMENT_NAME_PATTERN } from '@platform/contract';

/** A configuration problem; its message is the one line start-up prints before exiting with code 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A URL whose scheme is one of `schemes`, e.g. `postgres://user:pass@host:5432/db`. */
export function urlWithScheme(...schemes: string[]) {
  return z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { error: `must be a ${schemes.map((s) => `${s}://`).join(' or ')} URL` },
  );
}

/** An optional whole-number variable from `min` to `max`, `fallback` when unset. */
export function wholeNumber(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d+$/, { error: `must be a whole number from ${min} to ${max}` })
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/;

/**
 * The path of a readable file holding at least one PEM certificate (a CA bundle).
 * Checked at start-up, so a wrong path fails with one line instead of TLS errors later.
 */
export function pemCertificateFile() {
  return z.string().superRefine((path, ctx) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      ctx.addIssue({ code: 'custom', message: code === 'ENOENT' ? `names no file (${path})` : `names a file that cannot be read (${path}: ${code ?? 'error'})` });
      return;
    }
    if (!PEM_CERTIFICATE.test(text)) {
      ctx.addIssue({ code: 'custom', message: `must be a PEM file with at least one certificate (-----BEGIN CERTIFICATE-----); ${path} has none` });
    }
  });
}

/** Environment variables every service reads (the service contract in DESIGN.md). */
export function baseConfigShape(defaultPort: number) {
  return {
    PORT: wholeNumber(0, 65_535, defaultPort),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: urlWithScheme('postgres', 'postgresql'),
    REDIS_URL: urlWithScheme('redis', 'rediss'),
    /**
     * CA certificate(s) the Postgres and Redis clients verify the server against when their
     * URL asks for TLS (`sslmode=verify-full`, `rediss://`); unset: the system's trusted CAs.
     */
    TLS_CA_FILE: pemCertificateFile().optional(),
    /** Prefix of every Redis key the service writes; lets several deployments or test runs share one Redis. */
    REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:._-]{0,64}$/, { error: 'must be up to 64 of [A-Za-z0-9:._-]' }).optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    /** With LOG_FILE set, the lowest level whose lines also go to stdout (without LOG_FILE, every line does). */
    LOG_STDOUT_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('warn'),
    /** Milliseconds a Redis command may take before the cache gives up and the database answers. */
    REDIS_COMMAND_TIMEOUT_MS: wholeNumber(1, 10_000, 50),
    LOG_FILE: z.string().regex(/\.log$/, { error: 'must be a file path ending in ".log"' }).optional(),
    SERVICE_ENVIRONMENT: z
      .string()
      .regex(ENVIRONMENT_NAME_PATTERN, { error: 'must be 2-16 lower-case letters or digits, starting with a letter' })
      .default('dev'),
    /** Milliseconds a SIGTERM waits for in-flight requests before the process gives up and exits. */
    SHUTDOWN_TIMEOUT_MS: wholeNumber(100, 120_000, 10_000),
    /**
     * Milliseconds after SIGTERM during which requests are still served, each answer closing its
     * keep-alive connection, before the listener and idle connections close (part of SHUTDOWN_TIMEOUT_MS).
     */
    SHUTDOWN_DRAIN_MS: wholeNumber(0, 60_000, 500),
    /** Milliseconds from a request's arrival to its answer, whatever a dependency does (a 503 after it). */
    REQUEST_TIMEOUT_MS: wholeNumber(500, 120_000, 5_000),
    /** Milliseconds a client may take to send a request's headers before it gets a 408. */
    HEADERS_TIMEOUT_MS: wholeNumber(500, 120_000, 5_000),
    /** Milliseconds a client may take to send a whole request (headers and body) before it gets a 408. */
    RECEIVE_TIMEOUT_MS: wholeNumber(500, 300_000, 10_000),
  };
}

export const baseConfigSchema = z.object(baseConfigShape(8000));
export type BaseConfig = z.output<typeof baseConfigSchema>;

/**
 * Validates the environment once. Throws a ConfigError whose message is one line naming the
 * first bad variable, e.g. `Invalid configuration: DATABASE_URL is required`.
 */
export function loadConfig<S extends z.ZodType<BaseConfig>>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
): z.output<S> {
  // An empty variable means "not set" (docker and shells often pass FOO= for unset values).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (result.success) {
    // The drain is part of the shutdown bound: a drain as long as the bound would end every shutdown in exit 1.
    if (result.data.SHUTDOWN_DRAIN_MS >= result.data.SHUTDOWN_TIMEOUT_MS) {
      throw new ConfigError(`Invalid configuration: SHUTDOWN_DRAIN_MS must be less than SHUTDOWN_TIMEOUT_MS (${result.data.SHUTDOWN_TIMEOUT_MS})`);
    }
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const variable = issue.path.join('.') || '(environment)';
  const missing = issue.code === 'invalid_type' && present[variable] === undefined;
  throw new ConfigError(`Invalid configuration: ${variable} ${missing ? 'is required' : issue.message}`);
}
