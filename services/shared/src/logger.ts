/// <reference path="./types/pino-roll.d.ts" />
import { lstat, mkdir, rename, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pinoRoll, { type RollingFileStream } from 'pino-roll';
import type { SonicBoom } from 'sonic-boom';
import { serializeFlatLinesNatively } from './flat-lines.js';
import { isSecretField, redactFields, scrubSecrets } from './redact.js';
import { traceLogMixin } from './telemetry/runtime.js';

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
  /**
   * With `file` set, only lines at this level and above also go to stdout (so `docker logs`
   * shows problems and no line is written twice). Without `file`, every line goes to stdout.
   * @default 'warn'
   */
  readonly stdoutLevel?: string;
  /** Rotation size (pino-roll syntax). @default LOG_FILE_SIZE */
  readonly fileSize?: string;
  /** Rotated files kept besides the current one. @default LOG_FILE_KEEP */
  readonly filesKept?: number;
  /** Write each line to the file as it is logged, unbuffered, so it is on disk when the log call returns (tests). @default false */
  readonly syncFile?: boolean;
}

export interface ServiceLogger {
  readonly logger: Logger;
  /** Writes out what is buffered and closes the log file (if any). */
  close(): Promise<void>;
}

/**
 * How lines reach stdout and LOG_FILE: each destination collects lines as text and writes
 * them with one synchronous system call per 16 Ki characters (about 30 request lines), or
 * within 100 ms when the service is quiet. Appending a line to the pending text is a
 * pointer, not a copy; the batch is encoded once, in the write. Measured in the services
 * (BENCHMARKS.md), that is several microseconds a request cheaper than letting sonic-boom
 * batch: in its text mode it measures the whole pending batch again on every line
 * (`Buffer.byteLength` of the growing string, sonic-boom v4.2.1 index.js `write`), and in
 * its buffer mode every line becomes a Buffer of its own, which costs the services more
 * than the serialization of the line. sonic-boom still does each write (partial writes,
 * EAGAIN on a full pipe), and pino-roll still rotates by what it wrote. With nothing left
 * pending in sonic-boom (`minLength` 0), its `flush`, which pino-roll calls before each
 * roll, returns at once instead of waiting for an fsync of the file (v4.2.1 index.js `flush`):
 * the lines are in the page cache either way.
 * Writing synchronously keeps exit exact: no write is ever in flight, so writing out the
 * batches leaves nothing behind. What a batch can lose: nothing on `close()` or any
 * `process.exit()` (the crash handler's included; see `flushAllOnExit`); on SIGKILL or an
 * OOM kill, at most the last 16 Ki characters / 100 ms.
 */
const BATCH_CHARS = 16 * 1024;
const BATCH_FLUSH_MS = 100;

/** SonicBoom (pino's destination, pino-roll's file) with the `destroyed` flag its typings leave out. */
type FileStream = SonicBoom & { readonly destroyed: boolean };

/**
 * Lines waiting to be written to one destination as one string. URL credentials are masked
 * in the batch as it is written (`scrubSecrets` never matches across a line break, so that
 * is the same as masking each line, without copying each line together first).
 */
class LineBatch {
  private pending = '';
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  /** `minChars` 0 writes every line as it comes. */
  constructor(
    private readonly target: FileStream,
    private readonly minChars: number,
  ) {
    this.timer = setInterval(() => this.flush(), BATCH_FLUSH_MS);
    this.timer.unref();
  }

  get destroyed(): boolean {
    return this.closed || this.target.destroyed;
  }

  write(line: string): void {
    this.pending += line;
    if (this.pending.length >= this.minChars) this.flush();
  }

  /** Writes out what is pending, synchronously. */
  flush(): void {
    if (this.pending === '' || this.target.destroyed) return;
    const batch = this.pending;
    this.pending = '';
    this.target.write(scrubSecrets(batch));
  }

  /** Writes out what is pending and takes no more lines; the target stays open. */
  close(): void {
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
  }
}

/** Batches of every open logger, written out synchronously when the process exits. */
const openBatches = new Set<LineBatch>();
function flushAllOnExit(): void {
  for (const batch of openBatches) {
    try {
      batch.flush();
    } catch {
      // A file still opening, or a stdout that is gone, takes nothing more; keep flushing the rest.
    }
  }
}

/** The fields ecs-pino-format's log formatter rewrites (`err` into `error.*`, `req`/`res` into `http.*`). */
const ECS_FORMATTED_KEYS: readonly string[] = ['err', 'req', 'res'];

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
  // With tracing on, ECS trace.id / span.id of the active span on every line (telemetry/); off, no mixin at all.
  const mixin = traceLogMixin();
  const pinoOptions: LoggerOptions = {
    ...ecs,
    ...(mixin ? { mixin } : {}),
    level: options.level ?? 'info',
    formatters: {
      ...ecs.formatters,
      // ecs-pino-format adds its static fields in the bindings formatter. pino runs it for the
      // root's bindings (pid, hostname) and not for a child's (they are written as given; see
      // the child wrapper below); the guard keeps the fields to the root should that change.
      bindings: (bindings) => ('pid' in bindings || 'hostname' in bindings ? ecs.formatters!.bindings!(bindings) : bindings),
      // After ecs-pino-format, so the `error` object it makes from `err` is covered too.
      // ecs-pino-format's formatter copies every line's fields (a rest spread) to take out
      // `err`, `req` and `res` (with apmIntegration off, and its static fields already in the
      // root's bindings, that is all it does: @elastic/ecs-pino-format v1.5.0 index.js `log`),
      // so a line without them skips it.
      log: (fields) => redactFields(ECS_FORMATTED_KEYS.some((key) => key in fields) ? ecs.formatters!.log!(fields) : fields),
    },
    timestamp: ecsTimestamp(),
    hooks: {
      // Objects interpolated into the message (`log.info('%j', value)`) skip the log
      // formatter; redact those too. Plain calls, the usual kind, pass straight through.
      logMethod(args, method) {
        const interpolates = args.length > 2 || (args.length === 2 && typeof args[0] === 'string');
        const safe = interpolates ? args.map((arg) => (arg !== null && typeof arg === 'object' ? redactFields(arg) : arg)) : args;
        method.apply(this, safe as Parameters<typeof method>);
      },
    },
  };

  const stdout = options.stdout === undefined ? new LineBatch(pino.destination({ dest: 1, sync: true }) as FileStream, BATCH_CHARS) : undefined;
  const rolling = options.file ? await openRollingFile(options.file, options) : undefined;
  const batches = [stdout, rolling?.batch].filter((b): b is LineBatch => Boolean(b));
  const stdoutDestination = stdout ?? (options.stdout || undefined);
  const destinations = [stdoutDestination, rolling?.batch].filter((d): d is LineDestination => Boolean(d));
  // One copy of each line: with a file, stdout gets only lines at stdoutLevel and above.
  const stdoutMin = rolling ? (pino.levels.values[options.stdoutLevel ?? 'warn'] ?? Infinity) : 0;
  const logger = pino(pinoOptions, lineWriter(destinations, stdoutDestination, stdoutMin));
  // A flat line with none of the fields the log formatter changes is written as it is.
  serializeFlatLinesNatively(logger, (key) => ECS_FORMATTED_KEYS.includes(key) || isSecretField(key));
  // pino runs no formatter over a child logger's bindings (Fastify makes one per request):
  // redact them on the way in. Children inherit this method, so grandchildren are covered too.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactFields(bindings), childOptions);
  } as typeof logger.child;
  if (openBatches.size === 0) process.on('exit', flushAllOnExit);
  for (const batch of batches) openBatches.add(batch);

  return {
    logger,
    close: async () => {
      for (const batch of batches) openBatches.delete(batch);
      if (openBatches.size === 0) process.off('exit', flushAllOnExit);
      // stdout stays open (it is the process's): write out its batch only. A stdout that is
      // gone (EPIPE) must not keep the file from being closed.
      try {
        stdout?.close();
      } catch {
        // Nothing left to write to.
      }
      if (!rolling) return;
      rolling.batch.close();
      if (rolling.stream.destroyed) return;
      await new Promise<void>((resolve) => {
        rolling.stream.once('close', () => resolve());
        rolling.stream.end();
      });
      await rolling.linked();
    },
  };
}

/**
 * ecs-pino-format's `@timestamp` field (the same ISO 8601 text, in UTC, to the millisecond),
 * formatted once per millisecond instead of once per line: at a few thousand lines a second,
 * several lines share each millisecond.
 */
function ecsTimestamp(): () => string {
  let millis = -1;
  let field = '';
  return () => {
    const now = Date.now();
    if (now !== millis) {
      millis = now;
      field = `,"@timestamp":"${new Date(now).toISOString()}"`;
    }
    return field;
  };
}

/** Where the line writer puts a line: one of our batches, or a caller's stream (tests). */
type LineDestination = { write(line: string): unknown; readonly destroyed?: boolean };

/**
 * The stream pino writes to: each finished line goes to every destination still open, with
 * URL credentials masked (the last guard, whatever field or message they came in): by our
 * batches as they write, here for a caller's stream.
 */
function lineWriter(destinations: readonly LineDestination[], stdout: LineDestination | undefined, stdoutMinLevel: number): DestinationStream {
  // pino sets `lastLevel` on a stream that asks for metadata (as pino.multistream does).
  const writer = {
    [pino.symbols.needsMetadataGsym]: true,
    lastLevel: 0,
    write(line: string) {
      let scrubbed: string | undefined;
      for (const destination of destinations) {
        if (destination === stdout && writer.lastLevel < stdoutMinLevel) continue;
        // A line logged after close() (a late callback during shutdown) must not throw into its caller.
        if (destination.destroyed) continue;
        if (destination instanceof LineBatch) destination.write(line);
        else destination.write((scrubbed ??= scrubSecrets(line)));
      }
    },
  };
  return writer;
}

interface RollingFile {
  readonly stream: RollingFileStream;
  readonly batch: LineBatch;
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
    sync: true,
  });
  // Link updates run one after another, so a quick second roll cannot be overtaken by the first.
  let linking = Promise.resolve();
  const pointLink = () => {
    const current = stream.file;
    if (current) linking = linking.then(() => linkCurrentFile(path, current)).catch(() => undefined);
  };
  pointLink();
  stream.on('ready', pointLink); // emitted again after every roll
  return { stream, batch: new LineBatch(stream as unknown as FileStream, options.syncFile ? 0 : BATCH_CHARS), linked: () => linking };
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
