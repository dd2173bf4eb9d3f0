/**
 * Where the cost of a log line goes: CPU time per line of the services' logger and of plain
 * pino with one ingredient at a time (ECS format, redaction, a second destination, write
 * batching). Each variant writes the two lines a cached read writes, through a fresh child
 * logger per "request", as Fastify does, and lets the event loop turn every 10 requests (as
 * 10 connections would), so buffered and asynchronous writes batch as they do in a server.
 * Variants run round-robin, 5 rounds; the median is printed, so background load weighs on
 * all of them alike.
 * Usage: tsx tools/bench/logging-cost.ts > /dev/null   (figures go to stderr; lines to stdout)
 */
import { ecsFormat } from '@elastic/ecs-pino-format';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import { createServiceLogger, redactFields } from '@platform/service-kit';

const REQUESTS = 20_000;
const ROUNDS = 5;

/** A logger to measure and what to do after the last line so that all of it is written. */
interface Subject {
  readonly logger: Logger;
  finish(): Promise<void>;
}

async function perLine(open: () => Promise<Subject>): Promise<number> {
  const subject = await open();
  const request = (i: number) => {
    const child = subject.logger.child({ 'http.request.id': `req-${i}` });
    child.info({ 'event.action': 'user_fetched', 'user.id': '1', 'labels.cache': 'hit' }, 'user fetched');
    child.info(
      { 'http.request.method': 'GET', 'url.path': '/users/1', 'http.route': '/users/:id', 'http.response.status_code': 200, 'event.duration': 123456 },
      'request completed',
    );
  };
  const run = async (count: number) => {
    for (let i = 0; i < count; i++) {
      request(i);
      if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await run(2_000); // warm-up
  const start = process.cpuUsage();
  await run(REQUESTS);
  await subject.finish();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (2 * REQUESTS);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'logging-cost-'));
try {
  const ecs = ecsFormat({ serviceName: 'user-service', serviceEnvironment: 'dev', convertErr: true, apmIntegration: false });
  // The redaction the services used before (pino `redact` with `*.x` wildcards), for comparison.
  const wildcardRedact = {
    paths: ['password', '*.password', 'secret', '*.secret', 'token', '*.token', 'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie', 'DATABASE_URL', 'REDIS_URL', '*.DATABASE_URL', '*.REDIS_URL', 'connectionString', '*.connectionString'],
    censor: '[REDACTED]',
  };
  let files = 0;
  const file = () => path.join(dir, `run-${files++}.log`);
  const plain = (options: pino.LoggerOptions, destination: DestinationStream & { flushSync(): void }) => async (): Promise<Subject> => ({
    logger: pino(options, destination),
    finish: async () => destination.flushSync(),
  });
  const stdoutPerLine = () => pino.destination({ dest: 1, sync: true });
  const stdoutBatched = () => pino.destination({ dest: 1, sync: true, minLength: 4096 });
  const stdoutAsync = () => pino.destination({ dest: 1, sync: false, minLength: 4096 });

  const variants: Record<string, () => Promise<Subject>> = {
    'service logger: stdout + LOG_FILE (production)': async () => {
      const service = await createServiceLogger({ service: 'user-service', environment: 'dev', file: file() });
      return { logger: service.logger, finish: () => service.close() };
    },
    'service logger: stdout only': async () => {
      const service = await createServiceLogger({ service: 'user-service', environment: 'dev' });
      return { logger: service.logger, finish: () => service.close() };
    },
    'plain pino, stdout, a write per line': plain({}, stdoutPerLine()),
    'plain pino, stdout, 4 KiB batches': plain({}, stdoutBatched()),
    'plain pino, stdout, 4 KiB batches, async': async () => {
      const destination = stdoutAsync();
      return { logger: pino(destination), finish: () => new Promise((resolve) => destination.flush(() => resolve())) };
    },
    'pino + ECS format (per-line writes)': plain({ ...ecs }, stdoutPerLine()),
    'pino + wildcard redact paths (before)': plain({ redact: wildcardRedact }, stdoutPerLine()),
    'pino + redactFields formatter (now)': plain({ formatters: { log: (fields) => redactFields(fields) } }, stdoutPerLine()),
  };

  const results = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, open] of Object.entries(variants)) results.get(name)!.push(await perLine(open));
  }
  for (const [name, values] of results) {
    const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    process.stderr.write(`${name.padEnd(50)} ${median.toFixed(1).padStart(6)} µs CPU per line\n`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
