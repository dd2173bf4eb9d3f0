/**
 * The benchmark's ceiling: a bare Fastify server answering `GET /users/:id` with a fixed
 * JSON body (the real user-service's answer, passed in `BENCH_BARE_BODY`) and no I/O, no
 * logging, no hooks. Whatever the services do beyond this is their own cost.
 * Started by tools/bench/run.ts as a child process with the same flags as the services.
 */
import Fastify from 'fastify';

const body: unknown = JSON.parse(process.env.BENCH_BARE_BODY ?? '{}');
const port = Number(process.env.PORT ?? '0');
const host = process.env.HOST ?? '127.0.0.1';

const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));
app.get<{ Params: { id: number } }>(
  '/users/:id',
  { schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } } },
  async () => body,
);

await app.listen({ port, host });

process.once('SIGTERM', () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
