/**
 * Where the cost of a log line goes: CPU time per line of the services' logger and of plain
 * pino with one ingredient at a time (ECS format, redaction, the secret-scrubbing hook, a
 * second destination). Each variant writes the two lines a cached read writes, through a
 * fresh child logger per "request", as Fastify does.
 * Usage: tsx tools/bench/logging-cost.ts > /dev/null   (figures go to stderr; lines to stdout)
 */
import { ecsFormat } from '@elastic/ecs-pino-format';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { createServiceLogger } from '../../services/shared/src/logger.js';
import { REDACTED_PATHS, scrubSecrets } from '../../services/shared/src/redact.js';

const REQUESTS = 20_000;

function perLine(logger: Logger): number {
  const request = (i: number) => {
    const child = logger.child({ 'http.request.id': `req-${i}` });
    child.info({ 'event.action': 'user_fetched', 'user.id': '1', 'labels.cache': 'hit' }, 'user fetched');
    child.info(
      { 'http.request.method': 'GET', 'url.path': '/users/1', 'http.route': '/users/:id', 'http.response.status_code': 200, 'event.duration': 123456 },
      'request completed',
    );
  };
  for (let i = 0; i < 2_000; i++) request(i); // warm-up
  const start = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) request(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (2 * REQUESTS);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'logging-cost-'));
const report = (name: string, micros: number) => process.stderr.write(`${name.padEnd(44)} ${micros.toFixed(1).padStart(6)} µs CPU per line\n`);
try {
  const ecs = ecsFormat({ serviceName: 'user-service', serviceEnvironment: 'dev', convertErr: true, apmIntegration: false });
  const redact = { paths: [...REDACTED_PATHS], censor: '[REDACTED]' };
  const stdout = () => pino.destination({ dest: 1, sync: true });
  const scrubHook = {
    logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
      method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)));
    },
  };

  const both = await createServiceLogger({ service: 'user-service', environment: 'dev', file: path.join(dir, 'both.log') });
  report('service logger: stdout + LOG_FILE', perLine(both.logger));
  await both.close();
  const stdoutOnly = await createServiceLogger({ service: 'user-service', environment: 'dev' });
  report('service logger: stdout only', perLine(stdoutOnly.logger));
  report('plain pino, sync stdout', perLine(pino(stdout())));
  report('pino + ECS format', perLine(pino({ ...ecs }, stdout())));
  report('pino + redaction paths', perLine(pino({ redact }, stdout())));
  report('pino + secret-scrubbing logMethod hook', perLine(pino({ hooks: scrubHook as pino.LoggerOptions['hooks'] }, stdout())));
  report('pino + ECS + redaction', perLine(pino({ ...ecs, redact }, stdout())));
} finally {
  await rm(dir, { recursive: true, force: true });
}
