/**
 * ECS trace ids on log lines, in-process: a real tracer provider (the SDK the register module
 * starts) and the kit's logger with its ECS formatter, so the fields are checked as written.
 */
import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceLogger } from '../src/logger.js';
import { traceLogFields } from '../src/telemetry/log-correlation.js';
import { installTelemetryRuntime, tracingActive } from '../src/telemetry/runtime.js';

const RUNTIME = Symbol.for('platform.service-kit.telemetry');
const provider = new NodeTracerProvider();
beforeAll(() => {
  provider.register();
  installTelemetryRuntime({ logFields: traceLogFields, shutdown: () => provider.shutdown() });
});
afterAll(async () => {
  delete (globalThis as Record<symbol, unknown>)[RUNTIME];
  await provider.shutdown();
  trace.disable();
  context.disable();
});

async function logLines(write: (logger: Awaited<ReturnType<typeof createServiceLogger>>['logger']) => void): Promise<Record<string, unknown>[]> {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const { logger, close } = await createServiceLogger({ service: 'order-service', environment: 'dev', stdout: stream });
  write(logger);
  await close();
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('log lines with tracing on', () => {
  it('carry the active span as ECS trace.id and span.id, on plain lines, child loggers and error lines alike', async () => {
    expect(tracingActive()).toBe(true);
    const ids: string[] = [];
    const lines = await logLines((logger) =>
      trace.getTracer('test').startActiveSpan('request', (span) => {
        ids.push(span.spanContext().traceId, span.spanContext().spanId);
        logger.info('plain');
        logger.child({ 'http.request.id': 'r-1' }).info({ 'event.action': 'order_created' }, 'completed');
        // Goes through @elastic/ecs-pino-format's own formatter (err -> error.*).
        logger.error({ err: new Error('boom') }, 'failed');
        span.end();
      }),
    );
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatchObject({ 'trace.id': ids[0], 'span.id': ids[1], 'service.name': 'order-service' });
    expect(lines[2]).toMatchObject({ error: { message: 'boom' } });
  });

  it('outside any span, a line has no trace fields', async () => {
    const [line] = await logLines((logger) => logger.info('startup'));
    expect(line).not.toHaveProperty('trace.id');
    expect(line).not.toHaveProperty('span.id');
    expect(line).not.toHaveProperty('trace');
  });
});
