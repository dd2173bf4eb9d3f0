import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_MAPPINGS, logIndexPatterns } from '../constructs/elastic/log-mappings.js';
import { dataStreamName, REQUEST_ID_HEADER, serviceLogDir } from '../services/shared/src/catalog.js';
import { logFlow } from './support/log-flow.js';
import { MappingChecker, matchesIndexPattern, type MappingViolation } from './support/mapping-checker.js';
import { ecsField, logContractViolations, requestJson, startServices, type ServiceName, type StartedServices } from './support/services.js';

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
  lines = (await Promise.all(SERVICE_NAMES.map((name) => collect(services, name)))).flat();
});

afterAll(async () => {
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
