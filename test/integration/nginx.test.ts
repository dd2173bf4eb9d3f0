import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NGINX_LOG_DIR, SERVICES } from '@platform/contract';
import { renderNginxConfig } from '../../constructs/nginx-config.js';

/**
 * The generated config served by a real nginx in front of a stand-in upstream that
 * echoes what it received. Only what differs on this machine is rewritten: the
 * replicas' host names point at the stand-in, the log directory at a temporary one.
 */

const work = mkdtempSync(join(tmpdir(), 'nginx-behaviour-'));
let upstream: Server;
let nginx: ChildProcess | undefined;
let base = '';
const received: { url: string; headers: IncomingHttpHeaders }[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    received.push({ url: req.url ?? '', headers: req.headers });
    res.setHeader('content-type', 'application/json');
    // A service echoes the request id too; nginx must not send it twice.
    res.setHeader('x-request-id', String(req.headers['x-request-id'] ?? ''));
    res.end(JSON.stringify({ url: req.url }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const listenPort = await freePort();
  const closedPort = await freePort(); // nothing listens here: the "gone" service is down

  let config = renderNginxConfig({
    routes: [
      ...SERVICES.map((s) => ({ service: s.name, routePrefix: s.routePrefix, servers: [`${s.name}-1:${s.port}`, `${s.name}-2:${s.port}`] })),
      { service: 'gone-service', routePrefix: '/gone', servers: ['gone-service-1:8000'] },
    ],
    listenPort,
    ratePerSecond: 5,
    burst: 10,
    clientMaxBodySize: '1k',
    // Upstreams are rewritten to 127.0.0.1 below; resolve needs names (and nginx >= 1.27.3).
    resolver: false,
  });
  for (const s of SERVICES) config = config.replace(new RegExp(`server ${s.name}-\\d+:${s.port}`, 'g'), `server 127.0.0.1:${upstreamPort}`);
  config = config.replace('server gone-service-1:8000', `server 127.0.0.1:${closedPort}`);
  config = config.split(`${NGINX_LOG_DIR}/`).join(`${work}/`);
  writeFileSync(join(work, 'nginx.conf'), config);

  nginx = spawn('nginx', ['-e', join(work, 'startup.log'), '-c', join(work, 'nginx.conf'), '-g', `daemon off; pid ${work}/nginx.pid;`], { stdio: 'ignore' });
  base = `http://127.0.0.1:${listenPort}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await fetch(`${base}/nginx-health`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not start: ${readFileSync(join(work, 'error.log'), 'utf8')}`);
});

afterAll(async () => {
  nginx?.kill('SIGQUIT');
  await new Promise((resolve) => (nginx && nginx.exitCode === null ? nginx.once('exit', resolve) : resolve(undefined)));
  await new Promise((resolve) => upstream?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

let clients = 0;
/** A loopback address no other request used: its own rate-limit budget. */
const freshClient = () => `127.0.1.${++clients}`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request from the loopback address `from` (default: a fresh one). nginx limits
 * the rate per client address, so requests of different tests never share a budget.
 */
function request(path: string, options: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: options.method ?? 'GET', headers: options.headers, localAddress: options.from ?? freshClient() }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('nginx in front of the services', () => {
  it('routes each prefix, exact and below it, to its service with the original path', async () => {
    for (const service of SERVICES) {
      for (const path of [service.routePrefix, `${service.routePrefix}/42`, `${service.routePrefix}?user_id=7`]) {
        const response = await request(path);
        expect(response.status, path).toBe(200);
        expect(JSON.parse(response.body)).toEqual({ url: path });
      }
    }
  });

  it('answers unknown paths itself with a JSON 404', async () => {
    const response = await request('/nope');
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(received.some((r) => r.url === '/nope')).toBe(false);
  });

  it('generates a request id when none is sent, passes it upstream and returns it once', async () => {
    const response = await request('/users/1');
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[a-f0-9]{32}$/);
    expect(received.at(-1)!.headers['x-request-id']).toBe(id);
  });

  it("passes the caller's W3C trace context (traceparent, tracestate) to the service unchanged", async () => {
    // The pinned image has no OpenTelemetry module, so nginx starts no span of its own: the
    // first service continues the caller's trace, or starts one (README "APM / traces").
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const tracestate = 'vendor1=opaque,vendor2=x';
    const response = await request('/orders/5', { headers: { traceparent, tracestate } });
    expect(response.status).toBe(200);
    const seen = received.find((r) => r.url === '/orders/5')!;
    expect(seen.headers.traceparent).toBe(traceparent);
    expect(seen.headers.tracestate).toBe(tracestate);
  });

  it("keeps a caller's sane request id, and replaces one that is not", async () => {
    const kept = await request('/users/2', { headers: { 'x-request-id': 'trace-abc.123_X' } });
    expect(kept.headers['x-request-id']).toBe('trace-abc.123_X');
    expect(received.at(-1)!.headers['x-request-id']).toBe('trace-abc.123_X');
    const replaced = await request('/users/3', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[a-f0-9]{32}$/);
    expect(received.at(-1)!.headers['x-request-id']).toBe(replaced.headers['x-request-id']);
  });

  it('sends security headers on proxied answers and on its own errors', async () => {
    for (const path of ['/users/1', '/nope']) {
      const headers = (await request(path)).headers;
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['x-frame-options'], path).toBe('DENY');
      expect(headers['referrer-policy'], path).toBe('no-referrer');
      expect(headers.server, path).toBe('nginx');
    }
  });

  it('refuses a body over the limit with a JSON 413', async () => {
    const response = await request('/users', { method: 'POST', body: 'x'.repeat(4096), headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 413 });
  });

  it('limits the rate per client with a JSON 429, without touching other clients', async () => {
    const burst = await Promise.all(Array.from({ length: 40 }, () => request('/orders/1', { from: '127.0.0.3' })));
    const limited = burst.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(JSON.parse(limited[0]!.body)).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect((await request('/orders/1', { from: '127.0.0.4' })).status).toBe(200);
  });

  it('answers a JSON 503, with status 503, when every replica of a service is down', async () => {
    const response = await request('/gone/1');
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
  });

  it('writes one JSON access-log line per request, carrying the request id', async () => {
    await request('/orders/9', { headers: { 'x-request-id': 'log-check-1' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = readFileSync(join(work, 'access.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const line = lines.find((l) => l.request_id === 'log-check-1');
    expect(line).toMatchObject({ request_method: 'GET', request_uri: '/orders/9', status: '200' });
    expect(lines.every((l) => /^[A-Za-z0-9._-]{1,128}$/.test(l.request_id!))).toBe(true);
  });
});
