/**
 * Tracing end to end: both services built and started as the image starts them (register
 * module first), against real Postgres and Redis, exporting OTLP/JSON to a receiver this test
 * runs. Needs `npm run build` (npm test runs it first).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REQUEST_ID_HEADER, serviceByName } from '@platform/contract';
import { ecsField, readLogLines } from '../../tools/testing/log-lines.js';
import { OtlpReceiver, SilentReceiver, SPAN_KIND, type ReceivedSpan } from '../../tools/testing/otlp-receiver.js';
import { REDIS_URL } from '../../tools/testing/redis.js';
import { freshStores, runCleanups, type Cleanups, type ServiceName } from '../../tools/testing/services.js';
import { startBuiltPair, type BuiltPair } from '../../tools/testing/traced-services.js';

const USERS = serviceByName('user-service').routePrefix;
const ORDERS = serviceByName('order-service').routePrefix;

const cleanups: Cleanups = [];
afterAll(() => runCleanups(cleanups));

interface StartedPair {
  readonly pair: BuiltPair;
  readonly logFiles: Readonly<Record<ServiceName, string>>;
}

/** Both services on fresh databases and Redis prefixes, logging to files, with `otel` variables added. */
async function startPair(label: string, otel: Readonly<Record<string, string>>): Promise<StartedPair> {
  const logDir = await mkdtemp(path.join(tmpdir(), 'tracing-logs-'));
  cleanups.push(() => rm(logDir, { recursive: true, force: true }));
  const users = await freshStores('tracing_users', 'tracing-users', cleanups);
  const orders = await freshStores('tracing_orders', 'tracing-orders', cleanups);
  const logFiles = { 'user-service': path.join(logDir, 'user-service.log'), 'order-service': path.join(logDir, 'order-service.log') };
  const pair = await startBuiltPair(
    { REDIS_URL, SERVICE_ENVIRONMENT: 'dev', LOG_LEVEL: 'info', ...otel },
    {
      // The in-process cache tier off: user-service's read goes to Redis (and Postgres), as in a fresh replica.
      'user-service': { DATABASE_URL: users.database.url, REDIS_KEY_PREFIX: users.redisKeyPrefix, LOG_FILE: logFiles['user-service'], LOCAL_CACHE_MAX_ENTRIES: '0' },
      'order-service': { DATABASE_URL: orders.database.url, REDIS_KEY_PREFIX: orders.redisKeyPrefix, LOG_FILE: logFiles['order-service'] },
    },
    ` (${label})`,
  );
  cleanups.push(() => pair.stop());
  return { pair, logFiles };
}

async function createUser(pair: BuiltPair): Promise<number> {
  const response = await fetch(`${pair.users.baseUrl}${USERS}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `tracing-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`, name: 'Tracing Test' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

async function postOrder(pair: BuiltPair, userId: number, requestId?: string): Promise<number> {
  const response = await fetch(`${pair.orders.baseUrl}${ORDERS}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}) },
    body: JSON.stringify({ user_id: userId, total: '12.50' }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The lines both services wrote for one request id. */
async function requestLines(logFiles: StartedPair['logFiles'], requestId: string) {
  const lines = await Promise.all(
    Object.entries(logFiles).map(async ([service, file]) => (await readLogLines(file)).filter((l) => ecsField(l, 'http.request.id') === requestId).map((line) => ({ service, line }))),
  );
  return lines.flat();
}

/** True when following parents from `span` reaches `root` within the trace. */
function descendsFrom(span: ReceivedSpan, root: ReceivedSpan, byId: ReadonlyMap<string, ReceivedSpan>): boolean {
  for (let current: ReceivedSpan | undefined = span; current; current = byId.get(current.parentSpanId)) {
    if (current.spanId === root.spanId) return true;
  }
  return false;
}

describe('tracing on (OTLP/JSON to a local receiver)', () => {
  it('one POST /orders is one trace: the user-service server span is a child of order-service fetch client span, pg and Redis spans under them, all sent by the shutdown flush', async () => {
    const receiver = await OtlpReceiver.start();
    cleanups.push(() => receiver.close());
    const { pair, logFiles } = await startPair('traced', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      // No export before shutdown: the spans can only arrive through the flush on SIGTERM.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    const userId = await createUser(pair);
    const requestId = `tracing-${Date.now()}`;
    expect(await postOrder(pair, userId, requestId)).toBe(201);
    expect(receiver.requests).toBe(0);

    expect(await pair.stop()).toEqual({ orders: 0, users: 0 });

    const root = receiver.spans.find((s) => s.serviceName === 'order-service' && s.kind === SPAN_KIND.SERVER && s.name === `POST ${ORDERS}`);
    expect(root, 'order-service server span of POST /orders').toBeDefined();
    expect(root!.parentSpanId).toBe('');
    const trace = receiver.trace(root!.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    expect(new Set(trace.map((s) => s.serviceName))).toEqual(new Set(['order-service', 'user-service']));
    expect(trace.filter((s) => !descendsFrom(s, root!, byId)).map((s) => `${s.serviceName} ${s.name}`)).toEqual([]);

    const client = trace.find((s) => s.serviceName === 'order-service' && s.kind === SPAN_KIND.CLIENT && String(s.attributes['url.full']).startsWith(pair.users.baseUrl));
    expect(client, 'order-service client span of its call to user-service').toBeDefined();
    const server = trace.find((s) => s.serviceName === 'user-service' && s.kind === SPAN_KIND.SERVER);
    expect(server?.name).toBe(`GET ${USERS}/:id`);
    expect(server?.parentSpanId).toBe(client!.spanId);

    const db = (service: ServiceName, system: string) => trace.filter((s) => s.serviceName === service && s.attributes['db.system.name'] === system).map((s) => s.name);
    expect(db('order-service', 'postgresql')).toContainEqual(expect.stringMatching(/^pg\.query:INSERT /));
    expect(db('user-service', 'postgresql')).toContainEqual(expect.stringMatching(/^pg\.query:SELECT /));
    expect(db('user-service', 'redis')).toContain('get');
    // The user-service read and its spans sit under the server span (not beside it).
    for (const span of trace.filter((s) => s.serviceName === 'user-service')) expect(descendsFrom(span, server!, byId)).toBe(true);

    // Every line of the request, in both services, names the trace and a span of its own service.
    const lines = await requestLines(logFiles, requestId);
    expect(new Set(lines.map((l) => l.service))).toEqual(new Set(['order-service', 'user-service']));
    for (const { service, line } of lines) {
      expect(ecsField(line, 'trace.id')).toBe(root!.traceId);
      expect(trace.filter((s) => s.serviceName === service).map((s) => s.spanId)).toContain(ecsField(line, 'span.id'));
    }
  });
});

describe('tracing off', () => {
  it('with no OTLP endpoint the services answer as before, send nothing and write no trace ids', async () => {
    const receiver = await OtlpReceiver.start();
    cleanups.push(() => receiver.close());
    // Everything but the endpoint: the protocol and sampler alone turn nothing on.
    const { pair, logFiles } = await startPair('off', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'always_on' });
    const userId = await createUser(pair);
    const requestId = `untraced-${Date.now()}`;
    expect(await postOrder(pair, userId, requestId)).toBe(201);
    expect(await pair.stop()).toEqual({ orders: 0, users: 0 });

    expect(receiver.requests).toBe(0);
    const lines = await requestLines(logFiles, requestId);
    expect(new Set(lines.map((l) => l.service))).toEqual(new Set(['order-service', 'user-service']));
    for (const { line } of lines) {
      expect(ecsField(line, 'trace.id')).toBeUndefined();
      expect(ecsField(line, 'span.id')).toBeUndefined();
    }
  });
});

describe('a trace receiver that accepts and never answers', () => {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  it('costs requests nothing: POST /orders latency stays within a small factor of tracing off, and shutdown still exits 0 within its bound', async () => {
    const silent = await SilentReceiver.start();
    cleanups.push(() => silent.close());
    const hung = await startPair('receiver hung', {
      OTEL_EXPORTER_OTLP_ENDPOINT: silent.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      // Export attempts all along the measurement, each left hanging until the exporter's own timeout.
      OTEL_BSP_SCHEDULE_DELAY: '20',
    });
    const off = await startPair('tracing off', {});
    const users = { hung: await createUser(hung.pair), off: await createUser(off.pair) };
    const latencies = { hung: [] as number[], off: [] as number[] };
    // Interleaved, so the machine's background load weighs on both alike; the first rounds warm up.
    for (let round = 0; round < 35; round++) {
      for (const which of ['off', 'hung'] as const) {
        const started = performance.now();
        expect(await postOrder((which === 'off' ? off : hung).pair, users[which])).toBe(201);
        if (round >= 5) latencies[which].push(performance.now() - started);
      }
    }
    expect(silent.connections, 'the exporter did try to send').toBeGreaterThan(0);
    // Generous: tracing itself costs some CPU per request; waiting on the export would cost whole seconds.
    expect(median(latencies.hung)).toBeLessThan(3 * median(latencies.off));
    // The flush at shutdown gives up within its bound, before SHUTDOWN_TIMEOUT_MS's forced exit 1.
    expect(await hung.pair.stop()).toEqual({ orders: 0, users: 0 });
  });
});
