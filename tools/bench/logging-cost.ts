/**
 * Where the cost of a log line goes: CPU time (user + system) per request of the services'
 * logger and of plain pino with one ingredient at a time (ECS format, write batching, the
 * file). Each variant writes what a cached read writes in production: one `request
 * completed` line with its domain event fields, through a fresh child logger per "request"
 * (as Fastify makes one), and lets the event loop turn every 10 requests (as 10 connections
 * would), so buffered writes batch as they do in a server. Files go to the OS temp directory.
 * Variants run round-robin, 5 rounds; the median is printed, so background load weighs on
 * all of them alike.
 * Usage: tsx tools/bench/logging-cost.ts > /dev/null   (figures go to stderr; stdout variants' lines to stdout)
 */
import { ecsFormat } from '@elastic/ecs-pino-format';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import { createServiceLogger } from '@platform/service-kit';

const REQUESTS = 30_000;
const ROUNDS = 5;

/** What one request logs; `i` varies the request id and duration as real requests do. */
function logRequest(logger: Logger, i: number): void {
  const child = logger.child({ 'http.request.id': `0c87a7b0-9e1d-4206-99ba-${String(100_000_000_000 + i)}` });
  if (!child.isLevelEnabled('info')) return; // as EcsLogController.requestCompleted
  child.info(
    {
      'http.request.method': 'GET',
      'url.path': '/users/1',
      'http.route': '/users/:id',
      'http.response.status_code': 200,
      'event.duration': 55_823 + i,
      'event.action': 'user_fetched',
      'user.id': '1',
      'labels.cache': 'hit',
      'labels.cache_tier': 'local',
    },
    'request completed',
  );
}

/** A logger to measure and what to do after the last line so that all of it is written. */
interface Subject {
  readonly logger: Logger;
  finish(): Promise<void>;
}

async function perRequest(open: () => Promise<Subject>): Promise<number> {
  const subject = await open();
  const run = async (count: number) => {
    for (let i = 0; i < count; i++) {
      logRequest(subject.logger, i);
      if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await run(3_000); // warm-up
  const start = process.cpuUsage();
  await run(REQUESTS);
  await subject.finish();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / REQUESTS;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'logging-cost-'));
try {
  const ecs = ecsFormat({ serviceName: 'user-service', serviceEnvironment: 'dev', convertErr: true, apmIntegration: false });
  let files = 0;
  const file = () => path.join(dir, `run-${files++}.log`);
  type Sonic = DestinationStream & { flushSync(): void; write(data: string | Buffer): boolean };
  const plain = (options: pino.LoggerOptions, destination: () => Sonic, bytes = false) => async (): Promise<Subject> => {
    const sonic = destination();
    // Byte batches take each line as a Buffer (the services' line writer before 12-03 round 4).
    const stream: DestinationStream = bytes ? { write: (line: string) => sonic.write(Buffer.from(line)) } : sonic;
    return { logger: pino(options, stream), finish: async () => sonic.flushSync() };
  };
  const textBatches = () => pino.destination({ dest: file(), sync: true, minLength: 4096 }) as Sonic;
  const byteBatches = () => pino.destination({ dest: file(), sync: true, minLength: 16 * 1024, maxWrite: 64 * 1024, contentMode: 'buffer' } as never) as Sonic;
  const service = (options: { level?: string; file?: boolean }) => async (): Promise<Subject> => {
    const logger = await createServiceLogger({ service: 'user-service', environment: 'dev', level: options.level, file: options.file ? file() : undefined });
    return { logger: logger.logger, finish: () => logger.close() };
  };

  const variants: Record<string, () => Promise<Subject>> = {
    'service logger: LOG_FILE, stdout warn+ (production)': service({ file: true }),
    'service logger: LOG_LEVEL=silent (the no-log service)': service({ level: 'silent' }),
    'service logger: no LOG_FILE, all to stdout': service({}),
    'pino + ECS format, file, 16 KiB byte batches (round 3)': plain({ ...ecs }, byteBatches, true),
    'plain pino, file, 16 KiB byte batches (round 3)': plain({}, byteBatches, true),
    'plain pino, file, 4 KiB text batches (before)': plain({}, textBatches),
  };

  const results = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, open] of Object.entries(variants)) results.get(name)!.push(await perRequest(open));
  }
  for (const [name, values] of results) {
    const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    process.stderr.write(`${name.padEnd(56)} ${median.toFixed(2).padStart(6)} µs CPU per request\n`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
