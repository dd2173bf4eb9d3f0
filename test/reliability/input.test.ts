/**
 * Bad input, property-based: random and malformed ids, bodies, headers, query strings and
 * oversized payloads at every route of both services (real child processes on fresh
 * databases). Whatever comes in, the answer is never a 5xx, an error is always the contract's
 * `{ statusCode, error, message }`, every answer carries a sane x-request-id, and the processes
 * stay up.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_PATH, METRICS_PATH, READY_PATH, REQUEST_ID_HEADER } from '@platform/contract';
import { headers, idSegment, method, orderBody, queryString, userBody, type FuzzRequest } from '../../tools/testing/arbitraries.js';
import { contractErrorProblem, send, sendRaw, type HttpAnswer } from '../../tools/testing/http.js';
import { ORDERS_ROUTE, USERS_ROUTE, startStack, type ServiceStack } from '../../tools/testing/stack.js';

const SANE_ID = /^[A-Za-z0-9._-]{1,128}$/;
const NUM_RUNS = 80;

let stack: ServiceStack;
const knownUserIds: number[] = [];

beforeAll(async () => {
  stack = await startStack();
  for (const email of ['fuzz-a@example.test', 'fuzz-b@example.test']) {
    const created = await send(stack.users.baseUrl, {
      method: 'POST',
      path: USERS_ROUTE,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'Fuzz Target' }),
    });
    expect(created.status, created.text).toBe(201);
    knownUserIds.push((JSON.parse(created.text) as { id: number }).id);
  }
});

afterAll(async () => {
  await stack?.stop();
});

/** Everything the contract promises about any answer; returns the first broken promise. */
function contractProblem(request: FuzzRequest, answer: HttpAnswer): string | undefined {
  if (answer.status >= 500) return `${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status >= 400 && request.method !== 'HEAD') {
    const problem = contractErrorProblem(answer);
    if (problem) return problem;
  }
  // 431 comes from the HTTP parser before a request exists; there is no request id to echo.
  if (answer.status !== 431) {
    const echoed = answer.headers[REQUEST_ID_HEADER];
    if (typeof echoed !== 'string' || !SANE_ID.test(echoed)) return `x-request-id is missing or not sane: ${String(echoed)}`;
    const sent = request.headers['x-request-id'];
    if (sent !== undefined && SANE_ID.test(sent) && echoed !== sent) return `sane x-request-id "${sent}" came back as "${echoed}"`;
    if (sent !== undefined && !SANE_ID.test(sent) && echoed === sent) return 'an insane x-request-id was echoed back';
  }
  return undefined;
}

async function expectContract(baseUrl: string, request: FuzzRequest): Promise<void> {
  const answer = await send(baseUrl, request);
  const problem = contractProblem(request, answer);
  if (problem) throw new Error(`${request.method} ${request.path} -> ${problem}`);
}

function userRoutes(): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    fc.record({ method: method('POST'), path: fc.constant(USERS_ROUTE), headers, body: userBody() }),
    fc.record({ method: method('GET'), path: idSegment.map((id) => `${USERS_ROUTE}/${id}`), headers }),
    fc.record({ method: method('GET'), path: fc.tuple(idSegment, queryString).map(([id, q]) => `${USERS_ROUTE}/${id}${q}`), headers }),
    fc.record({ method: method('GET'), path: fc.constantFrom(HEALTH_PATH, READY_PATH, METRICS_PATH, `${USERS_ROUTE}`, `${USERS_ROUTE}/`, `${USERS_ROUTE}//1`, '/', '/nope'), headers }),
  );
}

function orderRoutes(): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    fc.record({ method: method('POST'), path: fc.constant(ORDERS_ROUTE), headers, body: orderBody(knownUserIds) }),
    fc.record({ method: method('GET'), path: idSegment.map((id) => `${ORDERS_ROUTE}/${id}`), headers }),
    fc.record({ method: method('GET'), path: queryString.map((q) => `${ORDERS_ROUTE}${q}`), headers }),
    fc.record({ method: method('GET'), path: fc.constantFrom(HEALTH_PATH, READY_PATH, METRICS_PATH, `${ORDERS_ROUTE}/`, '/', '/nope'), headers }),
  );
}

async function expectAlive(): Promise<void> {
  for (const server of [stack.users, stack.orders]) {
    expect(server.child.exitCode, `${server.name} exited`).toBeNull();
    const health = await send(server.baseUrl, { method: 'GET', path: HEALTH_PATH });
    expect(health.status).toBe(200);
  }
}

describe('bad input never breaks the contract', () => {
  it('user-service: every route, random and malformed requests', async () => {
    await fc.assert(fc.asyncProperty(userRoutes(), (request) => expectContract(stack.users.baseUrl, request)), { numRuns: NUM_RUNS * 2 });
    await expectAlive();
  }, 120_000);

  it('order-service: every route, random and malformed requests (some reach the database)', async () => {
    await fc.assert(fc.asyncProperty(orderRoutes(), (request) => expectContract(stack.orders.baseUrl, request)), { numRuns: NUM_RUNS * 2 });
    await expectAlive();
  }, 120_000);

  it('oversized bodies are refused with 413, oversized headers with 431, as contract errors', async () => {
    // Twice the services' 64 KiB body limit: refused, yet small enough to reach the kernel's
    // socket buffers whole, so the early 413 cannot race the client's write into an EPIPE.
    const huge = JSON.stringify({ email: 'big@example.test', name: 'x'.repeat(128 * 1024) });
    for (const [baseUrl, path] of [
      [stack.users.baseUrl, USERS_ROUTE],
      [stack.orders.baseUrl, ORDERS_ROUTE],
    ] as const) {
      const tooBig = await send(baseUrl, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: huge });
      expect(tooBig.status).toBe(413);
      expect(contractErrorProblem(tooBig)).toBeUndefined();
      const longUrl = await send(baseUrl, { method: 'GET', path: `${path}/${'9'.repeat(20_000)}` });
      expect(longUrl.status).toBe(431);
      expect(contractErrorProblem(longUrl)).toBeUndefined();
    }
    await expectAlive();
  });

  it('raw malformed HTTP is answered 4xx or dropped, never 5xx, and the process survives', async () => {
    const requestLine = fc.tuple(
      fc.constantFrom('GET', 'POST', 'BREW', 'get', ''),
      fc.constantFrom(`${USERS_ROUTE}/1`, ORDERS_ROUTE, '*', 'http://evil/', '/%', '', '/\u0000'),
      fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', ''),
    );
    const headerLines = fc.array(
      fc.oneof(
        fc.constantFrom(
          'Content-Length: -1',
          'Content-Length: 5\r\nContent-Length: 6',
          'Transfer-Encoding: chunked',
          'Transfer-Encoding: chunked\r\nContent-Length: 3',
          'Content-Type: application/json',
          'Host:',
          ': no-name',
          'X-Request-Id: \u0001',
        ),
        fc.string({ unit: 'binary-ascii', maxLength: 80 }),
      ),
      { maxLength: 5 },
    );
    const body = fc.oneof(fc.constant(''), fc.constantFrom('zz\r\n', '0\r\n\r\n', '{"a":1}'), fc.string({ unit: 'binary-ascii', maxLength: 100 }));
    const raw = fc.record({ line: requestLine, headerLines, body, target: fc.constantFrom('users', 'orders') as fc.Arbitrary<'users' | 'orders'> });
    await fc.assert(
      fc.asyncProperty(raw, async ({ line, headerLines: lines, body: text, target }) => {
        const wire = `${line.join(' ')}\r\nHost: 127.0.0.1\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n${text}`;
        const reply = await sendRaw(stack[target].baseUrl, Buffer.from(wire, 'latin1'));
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1];
        if (status !== undefined && Number(status) >= 500) throw new Error(`${status} for ${JSON.stringify(wire)}:\n${reply.slice(0, 300)}`);
      }),
      { numRuns: NUM_RUNS },
    );
    await expectAlive();
  }, 120_000);
});
