import type { FastifyInstance } from 'fastify';

/** Where a service is on its way out: serving, draining (answers end their connection), closing (503s). */
type Phase = 'serving' | 'draining' | 'closing';

const phases = new WeakMap<FastifyInstance, { phase: Phase }>();
const POLL_MS = 25;

/**
 * Installs the two-step shutdown on `app`:
 * - draining (`drainConnections`): the listener stays open and every request is served as usual,
 *   but each answer says `Connection: close`, so keep-alive clients (nginx's upstream pool,
 *   agents) retire their connection after it. A request sent on an idle connection just after
 *   SIGTERM is answered, not reset: closing an idle connection races the client's next request
 *   (Node's server.close() calls closeIdleConnections() at once, nodejs/node v20.x
 *   lib/_http_server.js httpServerPreClose, and Fastify's close() calls server.close() right
 *   after its preClose hooks, fastify v5.12.8 fastify.js onClose), so that only happens after the drain.
 * - closing (Fastify's `close()`, its preClose hook): the listener closes, remaining idle
 *   connections are closed, a request that still arrives on a busy one gets `isRefusing()`'s 503.
 */
export function installShutdown(app: FastifyInstance): { isRefusing(): boolean } {
  const state = { phase: 'serving' as Phase };
  phases.set(app, state);
  app.addHook('preClose', async () => {
    state.phase = 'closing';
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (state.phase !== 'serving') reply.header('connection', 'close');
    done(null, payload);
  });
  return { isRefusing: () => state.phase === 'closing' };
}

/**
 * Starts draining and resolves once no connection is open any more or `drainMs` has passed,
 * whichever comes first (clients that stay idle throughout are closed by `app.close()` next).
 */
export async function drainConnections(app: FastifyInstance, drainMs: number): Promise<void> {
  const state = phases.get(app);
  if (!state || state.phase !== 'serving') return;
  state.phase = 'draining';
  const until = Date.now() + drainMs;
  while (Date.now() < until) {
    const open = await new Promise<number>((resolve) => app.server.getConnections((error, count) => resolve(error ? 0 : count)));
    if (open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, until - Date.now()))));
  }
}
