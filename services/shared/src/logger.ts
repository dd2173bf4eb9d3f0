/// <reference path="./types/pino-roll.d.ts" />
import { lstat, mkdir, rename, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pinoRoll, { type RollingFileStream } from 'pino-roll';
import { REDACTED_PATHS, scrubSecrets } from './redact.js';

export type { Logger } from 'pino';

/** Rotation bounds of the LOG_FILE: at most (1 + LOG_FILE_KEEP) files of LOG_FILE_SIZE each. */
export const LOG_FILE_SIZE = '10m';
export const LOG_FILE_KEEP = 4;

export interface ServiceLoggerOptions {
  /** `service.name` on every line. */
  readonly service: string;
  /** `service.environment` on every line. */
  readonly environment: string;
  /** pino level name. @default 'info' */
  readonly level?: string;
  /**
   * Also append lines to this file, rotated by size. Rotated files sit next to it as
   * `<name>.<n>.log` (so a `<dir>/*.log` glob matches all of them) and the path itself is
   * kept as a symlink to the file currently written. @default no file
   */
  readonly file?: string;
  /** Where the stdout copy goes; `false` writes no stdout copy (tests). @default process stdout */
  readonly stdout?: DestinationStream | false;
  /** Rotation size (pino-roll syntax). @default LOG_FILE_SIZE */
  readonly fileSize?: string;
  /** Rotated files kept besides the current one. @default LOG_FILE_KEEP */
  readonly filesKept?: number;
  /** Write the file synchronously, so a line is on disk when the log call returns (tests). @default false */
  readonly syncFile?: boolean;
}

export interface ServiceLogger {
  readonly logger: Logger;
  /** Flushes and closes the log file (if any). */
  close(): Promise<void>;
}

/**
 * A pino logger writing Elastic Common Schema lines (`@timestamp`, `log.level`, `message`,
 * `ecs.version`, `service.name`, `service.environment`) with secrets redacted.
 */
export async function createServiceLogger(options: ServiceLoggerOptions): Promise<ServiceLogger> {
  const ecs = ecsFormat({
    serviceName: options.service,
    serviceEnvironment: options.environment,
    convertErr: true,
    apmIntegration: false,
  });
  const pinoOptions: LoggerOptions = {
    ...ecs,
    level: options.level ?? 'info',
    formatters: {
      ...ecs.formatters,
      // ecs-pino-format adds its static fields in the bindings formatter, which pino also runs
      // for every child logger; adding them once (on the root's pid/hostname bindings) keeps
      // each line free of duplicate keys.
      bindings: (bindings) => ('pid' in bindings || 'hostname' in bindings ? ecs.formatters!.bindings!(bindings) : bindings),
    },
    redact: { paths: [...REDACTED_PATHS], censor: '[REDACTED]' },
    serializers: { error: scrubErrorFields },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };

  const stdout = options.stdout === undefined ? pino.destination({ dest: 1, sync: true }) : options.stdout;
  const rolling = options.file ? await openRollingFile(options.file, options) : undefined;
  const file = rolling?.stream;
  const streams = [stdout, file].filter((s): s is DestinationStream => Boolean(s));
  const logger = pino(pinoOptions, pino.multistream(streams.map((stream) => ({ level: 'trace' as const, stream }))));

  return {
    logger,
    close: async () => {
      if (!rolling || rolling.stream.destroyed) return;
      await new Promise<void>((resolve) => {
        rolling.stream.once('close', () => resolve());
        rolling.stream.end();
      });
      await rolling.linked();
    },
  };
}

/** ECS `error` object (from ecs-pino-format's err conversion) with connection-string passwords masked. */
function scrubErrorFields(error: unknown): unknown {
  if (!error || typeof error !== 'object') return error;
  const scrubbed: Record<string, unknown> = { ...(error as Record<string, unknown>) };
  for (const key of ['message', 'stack_trace']) {
    if (typeof scrubbed[key] === 'string') scrubbed[key] = scrubSecrets(scrubbed[key] as string);
  }
  return scrubbed;
}

interface RollingFile {
  readonly stream: RollingFileStream;
  /** Resolves once the link to the current file has caught up with the latest roll. */
  linked(): Promise<void>;
}

async function openRollingFile(path: string, options: ServiceLoggerOptions): Promise<RollingFile> {
  await mkdir(dirname(path), { recursive: true });
  const stream = await pinoRoll({
    file: path, // pino-roll takes the ".log" off and writes <name>.<n>.log
    size: options.fileSize ?? LOG_FILE_SIZE,
    limit: { count: options.filesKept ?? LOG_FILE_KEEP, removeOtherLogFiles: true },
    mkdir: true,
    sync: options.syncFile ?? false,
  });
  // Link updates run one after another, so a quick second roll cannot be overtaken by the first.
  let linking = Promise.resolve();
  const pointLink = () => {
    const current = stream.file;
    if (current) linking = linking.then(() => linkCurrentFile(path, current)).catch(() => undefined);
  };
  pointLink();
  stream.on('ready', pointLink); // emitted again after every roll
  return { stream, linked: () => linking };
}

/**
 * Points `path` at the file being written, atomically (rename over the old link). Filebeat
 * ignores symlinks by default, so lines are not shipped twice. A regular file at `path` is
 * left alone: it is someone's data.
 */
async function linkCurrentFile(path: string, current: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing && !existing.isSymbolicLink()) return;
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.link`);
  await unlink(temporary).catch(() => undefined);
  await symlink(basename(current), temporary);
  await rename(temporary, path);
}
