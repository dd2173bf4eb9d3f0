import type { FastifyInstance } from 'fastify';
import { HEALTH_PATH, READY_PATH } from '@platform/contract';
import { errorRef } from './errors.js';

/** A dependency probe: resolves when the dependency answers, rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<unknown>;

/** How long a single readiness probe may take before its dependency counts as down. */
export const READINESS_TIMEOUT_MS = 2_000;

const readySchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string' },
    checks: { type: 'object', additionalProperties: { type: 'string', enum: ['up', 'down'] } },
  },
} as const;

/**
 * `GET /healthz`: 200 while the process serves HTTP (liveness).
 * `GET /readyz`: 200 when every dependency answers; else 503 `{ statusCode, error, message }`
 * whose message names the dependencies that do not (readiness).
 */
export function installHealth(app: FastifyInstance, checks: Readonly<Record<string, ReadinessCheck>>): void {
  app.get(
    HEALTH_PATH,
    { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    READY_PATH,
    {
      schema: {
        response: {
          200: readySchema,
          503: errorRef,
        },
      },
    },
    async (request, reply) => {
      const names = Object.keys(checks);
      const outcomes = await Promise.allSettled(names.map((name) => withTimeout(checks[name]!(), READINESS_TIMEOUT_MS)));
      const down = names.filter((_, i) => outcomes[i]!.status === 'rejected');
      if (down.length === 0) {
        return { status: 'ready', checks: Object.fromEntries(names.map((n) => [n, 'up'])) };
      }
      const message = `${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} not answering`;
      request.log.warn({ 'event.action': 'readiness_failed', 'labels.down': down.join(',') }, message);
      return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message });
    },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
