import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_MAPPINGS, logIndexPatterns } from '../../constructs/elastic/log-mappings.js';
import { renderNginxConfig, type NginxRoute } from '../../constructs/nginx-config.js';
import { FINGERPRINT_LENGTH } from '../../pipelines/index.js';
import {
  dataStreamName,
  NGINX_ACCESS_LOG_PATH,
  NGINX_ERROR_LOG_PATH,
  NGINX_LOG_DIR,
  NGINX_LOG_SOURCE,
  REQUEST_ID_HEADER,
  SERVICES,
  serviceLogDir,
} from '@platform/contract';
import { logFlow } from '../support/log-flow.js';
import { MappingChecker, matchesIndexPattern, type MappingViolation } from '../support/mapping-checker.js';
import { requestJson, waitForOk } from '../../tools/testing/http.js';
import { ecsField, logContractViolations } from '../../tools/testing/log-lines.js';
import { closedPort, startServices, type ServiceName, type StartedServices } from '../../tools/testing/services.js';

/**
 * The log contract, end to end: real service lines (from the services started as in their
 * own tests, driven through their API) are checked against DESIGN.md's log contract and
 * against the index template's mappings (constructs/elastic/log-mappings.ts, the same
 * object the elastic stack declares), both as written and as the pipeline delivers them,
 * and each must land in a data stream the template matches.
 */

const ENVIRONMENT = 'dev';
const SERVICE_NAMES: readonly ServiceName[] = ['user-service', 'order-service'];
const DOMAIN_EVENTS = { user_created: 'user.id', user_fetched: 'user.id', order_created: 'order.id' } as const;

interface CollectedLine {
  readonly service: ServiceName;
  /** Where the line lives inside the containers' shared log volume (what Filebeat reads). */
  readonly containerPath: string;
  readonly text: string;
  readonly parsed: Record<string, unknown>;
}

let services: StartedServices;
let lines: CollectedLine[] = [];
const crossServiceRequestId = `contract-${randomBytes(6).toString('hex')}`;
const throughNginxRequestId = `nginx-${randomBytes(6).toString('hex')}`;

/** The platform's real nginx config, run by the real nginx binary in front of the running services. */
interface RunningNginx {
  readonly url: string;
  readonly logDir: string;
  /** Stops nginx gracefully (its logs complete), runs `beforeCleanup`, then removes its files. */
  stop(beforeCleanup?: () => Promise<void>): Promise<void>;
}
let nginx: RunningNginx | undefined;
let nginxLines: { access: string[]; error: string[] } = { access: [], error: [] };
/** What the client got from a route whose upstream is down (nginx's error_page decides). */
let downStatus = 0;

async function startNginx(svc: StartedServices): Promise<RunningNginx> {
  if (spawnSync('nginx', ['-v']).error) throw new Error('nginx is not installed (scripts/prepare-test-machine.sh installs nginx-light); the log contract test runs the real one');
  const dir = await mkdtemp(join(tmpdir(), 'contract-nginx-'));
  const logDir = join(dir, 'logs');
  await mkdir(logDir);
  const port = await closedPort();
  const urls: Record<string, string> = { 'user-service': svc.userUrl, 'order-service': svc.orderUrl };
  const routes: NginxRoute[] = SERVICES.map((service) => ({ service: service.name, routePrefix: service.routePrefix, servers: [new URL(urls[service.name]!).host] }));
  // A route whose upstream is down, so nginx writes a real error-log line.
  routes.push({ service: 'down-service', routePrefix: '/down', servers: [`127.0.0.1:${await closedPort()}`] });
  // Upstreams are IP addresses here: nothing to resolve at run time (and Debian's nginx predates `resolve`).
  const config = renderNginxConfig({ routes, listenPort: port, resolver: false }).replaceAll(NGINX_LOG_DIR, logDir);
  await writeFile(join(dir, 'nginx.conf'), config);
  const child: ChildProcess = spawn('nginx', ['-e', join(dir, 'startup.log'), '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${url}/nginx-health`);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`nginx did not start: ${await readFile(join(dir, 'startup.log'), 'utf8').catch(() => '')} ${String(error)}`);
  }
  return {
    url,
    logDir,
    stop: async (beforeCleanup) => {
      child.kill('SIGQUIT'); // graceful: finish requests, flush logs
      await exited;
      try {
        await beforeCleanup?.();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function driveThroughNginx(proxy: RunningNginx): Promise<void> {
  const email = `nginx-${randomBytes(4).toString('hex')}@example.com`;
  const user = await requestJson(`${proxy.url}/users`, { body: { email, name: 'Via Nginx' }, headers: { [REQUEST_ID_HEADER]: `${throughNginxRequestId}-u` } });
  expect(user.status).toBe(201);
  const order = await requestJson(`${proxy.url}/orders?source=contract`, {
    body: { user_id: user.body.id, total: 3 },
    headers: { [REQUEST_ID_HEADER]: throughNginxRequestId, 'user-agent': 'log-contract-test' },
  });
  expect(order.status).toBe(201);
  expect(order.headers.get(REQUEST_ID_HEADER)).toBe(throughNginxRequestId);
  expect((await requestJson(`${proxy.url}/users/${user.body.id as number}`, { headers: { [REQUEST_ID_HEADER]: 'not a sane id!' } })).status).toBe(200);
  expect((await requestJson(`${proxy.url}/nowhere`)).status).toBe(404);
  downStatus = (await requestJson(`${proxy.url}/down`)).status;
  expect(downStatus).toBeGreaterThanOrEqual(500);
}

const readLines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l.trim() !== '');

async function driveRequests(svc: StartedServices): Promise<void> {
  const email = `contract-${randomBytes(4).toString('hex')}@example.com`;
  const created = await requestJson(`${svc.userUrl}/users`, { body: { email, name: 'Contract Test' } });
  expect(created.status).toBe(201);
  const userId = created.body.id as number;
  const expectations: Array<[Promise<{ status: number }>, number]> = [
    [requestJson(`${svc.userUrl}/users`, { body: { email: email.toUpperCase(), name: 'Again' } }), 409],
    [requestJson(`${svc.userUrl}/users`, { body: { email: 'not-an-email', name: '' } }), 400],
    [requestJson(`${svc.userUrl}/users`, { body: '{"email": ', headers: { 'content-type': 'application/json' } }), 400],
    [requestJson(`${svc.userUrl}/users/${userId}`), 200],
    [requestJson(`${svc.userUrl}/users/${userId}`), 200], // second read: from the cache
    [requestJson(`${svc.userUrl}/users/987654321`), 404],
    [requestJson(`${svc.userUrl}/users/abc`), 400],
    [requestJson(`${svc.userUrl}/healthz`), 200],
    [requestJson(`${svc.userUrl}/readyz`), 200],
    [requestJson(`${svc.orderUrl}/metrics`), 200],
  ];
  for (const [response, status] of expectations) expect((await response).status).toBe(status);

  // The cross-service call: order-service asks user-service, passing the request id on.
  const order = await requestJson(`${svc.orderUrl}/orders`, {
    body: { user_id: userId, total: '12.50' },
    headers: { [REQUEST_ID_HEADER]: crossServiceRequestId, 'idempotency-key': `key-${crossServiceRequestId}` },
  });
  expect(order.status).toBe(201);
  const more: Array<[Promise<{ status: number }>, number]> = [
    [requestJson(`${svc.orderUrl}/orders`, { body: { user_id: userId, total: '12.50' }, headers: { 'idempotency-key': `key-${crossServiceRequestId}` } }), 201],
    [requestJson(`${svc.orderUrl}/orders`, { body: { user_id: userId, total: '99.00' }, headers: { 'idempotency-key': `key-${crossServiceRequestId}` } }), 422],
    [requestJson(`${svc.orderUrl}/orders`, { body: { user_id: 987654321, total: 5 } }), 422],
    [requestJson(`${svc.orderUrl}/orders`, { body: { user_id: -1, total: '1.234' } }), 400],
    [requestJson(`${svc.orderUrl}/orders/${order.body.id as number}`), 200],
    [requestJson(`${svc.orderUrl}/orders/987654321`), 404],
    [requestJson(`${svc.orderUrl}/orders?user_id=${userId}`), 200],
    [requestJson(`${svc.orderUrl}/readyz`), 200],
  ];
  for (const [response, status] of more) expect((await response).status).toBe(status);
}

/** Every line in the files Filebeat would read for `service` (current and rotated; not the symlink). */
async function collect(svc: StartedServices, service: ServiceName): Promise<CollectedLine[]> {
  const dir = join(svc.logDir, service);
  const entries = await readdir(dir, { withFileTypes: true });
  const collected: CollectedLine[] = [];
  for (const entry of entries.filter((e) => e.isFile() && e.name.endsWith('.log'))) {
    const text = await readFile(join(dir, entry.name), 'utf8');
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      collected.push({ service, containerPath: `${serviceLogDir(service)}/${entry.name}`, text: line, parsed: JSON.parse(line) as Record<string, unknown> });
    }
  }
  return collected;
}

beforeAll(async () => {
  services = await startServices({ env: { SERVICE_ENVIRONMENT: ENVIRONMENT, LOG_LEVEL: 'debug' } });
  await driveRequests(services);
  nginx = await startNginx(services);
  await driveThroughNginx(nginx);
  const running = nginx;
  nginx = undefined;
  await running.stop(async () => {
    nginxLines = { access: await readLines(join(running.logDir, 'access.log')), error: await readLines(join(running.logDir, 'error.log')) };
  });
  lines = (await Promise.all(SERVICE_NAMES.map((name) => collect(services, name)))).flat();
});

afterAll(async () => {
  await nginx?.stop();
  await services?.stop();
});

const describeLine = (line: CollectedLine) => `${line.service}: ${line.text.slice(0, 300)}`;

describe('the services write lines the log pipeline can take', () => {
  it('wrote lines for every service, including each domain event and the cross-service request', () => {
    for (const service of SERVICE_NAMES) expect(lines.filter((l) => l.service === service).length, service).toBeGreaterThan(5);
    const actions = new Set(lines.map((l) => ecsField(l.parsed, 'event.action')));
    for (const action of Object.keys(DOMAIN_EVENTS)) expect(actions, `event.action ${action}`).toContain(action);
    for (const service of SERVICE_NAMES) {
      expect(
        lines.some((l) => l.service === service && ecsField(l.parsed, 'http.request.id') === crossServiceRequestId),
        `${service} logged request ${crossServiceRequestId}`,
      ).toBe(true);
    }
  });

  it('every line satisfies the log contract', () => {
    const failures = lines
      .map((line) => {
        const problems = logContractViolations(line.parsed, line.service);
        if (ecsField(line.parsed, 'service.environment') !== ENVIRONMENT) problems.push(`service.environment is not ${ENVIRONMENT}`);
        const action = ecsField(line.parsed, 'event.action') as keyof typeof DOMAIN_EVENTS | undefined;
        if (action && action in DOMAIN_EVENTS) {
          if (ecsField(line.parsed, 'http.request.id') === undefined) problems.push(`${action} line has no http.request.id`);
          if (ecsField(line.parsed, DOMAIN_EVENTS[action]) === undefined) problems.push(`${action} line has no ${DOMAIN_EVENTS[action]}`);
        }
        if (ecsField(line.parsed, 'url.path') !== undefined && ecsField(line.parsed, 'http.request.id') === undefined) {
          problems.push('a request line has no http.request.id');
        }
        return problems.length ? `${describeLine(line)}\n  -> ${problems.join('; ')}` : undefined;
      })
      .filter(Boolean);
    expect(failures).toEqual([]);
  });

  it('no line, as written, has a field the index template mappings would reject', () => {
    // One checker per data stream: dynamic fields mapped by one line bind the next, as in a real index.
    const checkers = new Map(SERVICE_NAMES.map((s) => [s, new MappingChecker(LOG_MAPPINGS)]));
    const failures = lines.flatMap((line) =>
      checkers.get(line.service)!.check(line.parsed).map((v: MappingViolation) => `${describeLine(line)}\n  -> ${v.field}: ${v.reason}`),
    );
    expect(failures).toEqual([]);
  });

  it('every line, as the pipeline delivers it, lands in its logs-<service>-<environment> stream and indexes cleanly', () => {
    const flow = logFlow(ENVIRONMENT);
    const checkers = new Map<string, MappingChecker>();
    const failures: string[] = [];
    let offset = 0;
    for (const line of lines) {
      const result = flow.ship(line.text, line.containerPath, offset);
      offset += line.text.length + 1;
      expect(result.outputs, describeLine(line)).toHaveLength(1);
      const { index, document } = result.outputs[0]!;
      if (index !== dataStreamName(line.service, ENVIRONMENT)) failures.push(`${describeLine(line)}\n  -> routed to ${index}`);
      if (!logIndexPatterns(ENVIRONMENT).some((pattern) => matchesIndexPattern(index!, pattern))) {
        failures.push(`${describeLine(line)}\n  -> ${index} matches no index template pattern (${logIndexPatterns(ENVIRONMENT).join(', ')})`);
      }
      const tags = (document.tags as string[] | undefined) ?? [];
      if (tags.length) failures.push(`${describeLine(line)}\n  -> tagged ${tags.join(', ')} (a JSON line should pass untouched)`);
      if ('fields' in document) failures.push(`${describeLine(line)}\n  -> Filebeat routing fields reached Elasticsearch`);
      const checker = checkers.get(index!) ?? checkers.set(index!, new MappingChecker(LOG_MAPPINGS)).get(index!)!;
      for (const v of checker.check(document)) failures.push(`${describeLine(line)}\n  -> indexed: ${v.field}: ${v.reason}`);
      if (ecsField(document, '@timestamp') !== new Date(String(ecsField(line.parsed, '@timestamp'))).toISOString()) {
        failures.push(`${describeLine(line)}\n  -> @timestamp not taken from the line`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the same checks reject these very lines against a mapping that disagrees with them', () => {
    // Proof that the checks above engage with the real lines: change two field types and they fail.
    const disagreeing = {
      ...LOG_MAPPINGS,
      properties: { ...LOG_MAPPINGS.properties, process: { properties: { pid: { type: 'ip' as const } } }, http: { type: 'keyword' as const } },
    };
    const checker = new MappingChecker(disagreeing);
    const fields = new Set(lines.flatMap((line) => checker.check(line.parsed).map((v) => v.field)));
    expect(fields).toContain('process.pid');
    expect(fields).toContain('http');
  });
});

describe('nginx, running the platform config, writes lines the pipeline maps onto ECS', () => {
  it('logs every proxied and refused request as JSON, with the request id the services saw', () => {
    const flow = logFlow(ENVIRONMENT);
    const checker = new MappingChecker(LOG_MAPPINGS);
    const documents = nginxLines.access.map((line, i) => {
      const result = flow.ship(line, NGINX_ACCESS_LOG_PATH, i);
      expect(result.outputs).toHaveLength(1);
      const { index, document } = result.outputs[0]!;
      expect(index).toBe(dataStreamName(NGINX_LOG_SOURCE, ENVIRONMENT));
      expect(logIndexPatterns(ENVIRONMENT).some((pattern) => matchesIndexPattern(index!, pattern))).toBe(true);
      expect(checker.check(document), line).toEqual([]);
      expect(document.tags, line).toBeUndefined();
      return document;
    });
    expect(documents.length).toBeGreaterThanOrEqual(5);
    const byId = (id: string) => documents.find((d) => ecsField(d, 'http.request.id') === id);
    expect(byId(throughNginxRequestId)).toMatchObject({
      http: { request: { method: 'POST' }, response: { status_code: 201 } },
      url: { path: '/orders', query: 'source=contract' },
      user_agent: { original: 'log-contract-test' },
      log: { level: 'info' },
    });
    expect(ecsField(byId(throughNginxRequestId)!, 'event.duration')).toEqual(expect.any(Number));
    expect(ecsField(byId(throughNginxRequestId)!, 'nginx.access.upstream.address')).toBe(new URL(services.orderUrl).host);
    // The same id in nginx's line and in both services' lines: one request, findable everywhere by http.request.id.
    for (const service of SERVICE_NAMES) {
      expect(lines.some((l) => l.service === service && ecsField(l.parsed, 'http.request.id') === throughNginxRequestId), service).toBe(true);
    }
    // An insane caller id is replaced, and the replacement is what the service logged.
    const generated = documents.find((d) => ecsField(d, 'http.request.method') === 'GET' && /^\/users\/\d+$/.test(String(ecsField(d, 'url.path'))));
    expect(generated).toBeDefined();
    const generatedId = String(ecsField(generated!, 'http.request.id'));
    expect(generatedId).not.toBe('not a sane id!');
    expect(lines.some((l) => l.service === 'user-service' && ecsField(l.parsed, 'http.request.id') === generatedId)).toBe(true);
    expect(documents.find((d) => ecsField(d, 'url.path') === '/down')).toMatchObject({ http: { response: { status_code: downStatus } }, log: { level: 'error' } });
    expect(documents.find((d) => ecsField(d, 'url.path') === '/nowhere')).toMatchObject({ http: { response: { status_code: 404 } }, log: { level: 'warn' } });
  });

  it("parses nginx's plain error log with the fallback", () => {
    const flow = logFlow(ENVIRONMENT);
    expect(nginxLines.error.length).toBeGreaterThan(0);
    const checker = new MappingChecker(LOG_MAPPINGS);
    for (const [i, line] of nginxLines.error.entries()) {
      const { index, document } = flow.ship(line, NGINX_ERROR_LOG_PATH, i).outputs[0]!;
      expect(index).toBe(dataStreamName(NGINX_LOG_SOURCE, ENVIRONMENT));
      expect(document.tags, line).toEqual(['_plain_fallback']);
      expect(String(ecsField(document, 'log.level'))).toMatch(/^(debug|info|notice|warn|error|crit|alert|emerg)$/);
      expect(checker.check(document), line).toEqual([]);
    }
    expect(nginxLines.error.some((l) => /connect\(\) failed/.test(l))).toBe(true);
  });

  it('writes lines long enough for Filebeat to fingerprint a file holding just one of them', () => {
    for (const line of nginxLines.access) expect(Buffer.byteLength(line)).toBeGreaterThanOrEqual(FINGERPRINT_LENGTH.nginx_access);
    for (const line of nginxLines.error) expect(Buffer.byteLength(line)).toBeGreaterThanOrEqual(FINGERPRINT_LENGTH.nginx_error);
  });
});
