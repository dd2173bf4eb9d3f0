import { describe, expect, it } from 'vitest';
import { LOG_MAPPINGS, logIndexPatterns } from '../../constructs/elastic/log-mappings.js';
import { LOGSTASH_ENV } from '../../pipelines/index.js';
import { dataStreamName, NGINX_ACCESS_LOG_PATH, NGINX_ERROR_LOG_PATH, serviceLogDir, UNROUTED_LOG_SOURCE } from '@platform/contract';
import { filebeatEvent } from '../support/logstash-grammar/filebeat-event.js';
import { parseLogstashConfig } from '../support/logstash-grammar/parse.js';
import { simulatePipeline, UnsupportedInSimulation } from '../support/logstash-grammar/simulate.js';
import { logFlow } from '../support/log-flow.js';
import { MappingChecker, matchesIndexPattern } from '../support/mapping-checker.js';

const flow = logFlow('dev');
const USER_LOG = `${serviceLogDir('user-service')}/user-service-1.1.log`;

/** A line as @elastic/ecs-pino-format writes it (dotted and nested keys mixed). */
const ecsLine = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    'log.level': 'info',
    '@timestamp': '2026-11-26T06:00:00.123Z',
    'process.pid': 42,
    'host.hostname': 'user-service-1',
    'ecs.version': '8.10.0',
    service: { name: 'user-service', environment: 'dev' },
    'http.request.id': 'req-1',
    message: 'user created',
    'event.action': 'user_created',
    'user.id': '7',
    ...fields,
  });

function shipOne(line: string, path = USER_LOG) {
  const result = flow.ship(line, path);
  expect(result.outputs).toHaveLength(1);
  return result.outputs[0]!;
}

function expectIndexable(index: string | undefined, document: Record<string, unknown>) {
  expect(logIndexPatterns('dev').some((pattern) => matchesIndexPattern(index!, pattern)), `${index} matches the index template`).toBe(true);
  expect(new MappingChecker(LOG_MAPPINGS).check(document)).toEqual([]);
}

describe('Filebeat model', () => {
  const input = flow.inputFor(USER_LOG);

  it('expands dotted keys and merges them with nested ones and with Filebeat fields', () => {
    const event = filebeatEvent(JSON.stringify({ 'log.level': 'warn', log: { logger: 'x' }, '@timestamp': '2026-01-02T03:04:05.000Z' }), input, USER_LOG, 7);
    expect(event).toMatchObject({ '@timestamp': '2026-01-02T03:04:05.000Z', log: { level: 'warn', logger: 'x', offset: 7, file: { path: USER_LOG } } });
    expect(event.fields).toEqual({ log_source: 'user-service', log_type: 'service', log_environment: 'dev' });
  });

  it('keeps a line that is not JSON as message with error.type json', () => {
    expect(filebeatEvent('plain words', input, USER_LOG, 0)).toMatchObject({ message: 'plain words', error: { type: 'json' } });
  });

  it('reports a key that is both a value and an object instead of guessing', () => {
    expect(filebeatEvent('{"a":1,"a.b":2}', input, USER_LOG, 0)).toMatchObject({ error: { type: 'json', message: expect.stringMatching(/cannot expand/) } });
  });
});

describe('the pipeline, run on lines as Filebeat ships them', () => {
  it('sends an ECS service line unchanged (minus routing hints) to logs-<service>-<environment>', () => {
    const { index, document } = shipOne(ecsLine());
    expect(index).toBe(dataStreamName('user-service', 'dev'));
    expect(document).toMatchObject({
      '@timestamp': '2026-11-26T06:00:00.123Z',
      message: 'user created',
      log: { level: 'info' },
      service: { name: 'user-service', environment: 'dev' },
      http: { request: { id: 'req-1' } },
      event: { action: 'user_created' },
      user: { id: '7' },
    });
    expect(document).not.toHaveProperty('fields');
    expect(document).not.toHaveProperty('@metadata');
    expectIndexable(index, document);
  });

  it('adds service.environment only when the line has none', () => {
    const line = JSON.parse(ecsLine()) as Record<string, unknown>;
    line.service = { name: 'user-service' };
    expect(shipOne(JSON.stringify(line)).document).toMatchObject({ service: { environment: 'dev' } });
    line.service = { name: 'user-service', environment: 'elsewhere' };
    expect(shipOne(JSON.stringify(line)).document).toMatchObject({ service: { environment: 'elsewhere' } });
  });

  it('parses a plain "timestamp [LEVEL] message" line with the fallback, tagged, keeping the original', () => {
    const raw = '2026-11-26T06:01:02.345Z [ERROR] could not reach postgres';
    const { index, document } = shipOne(raw);
    expect(index).toBe('logs-user-service-dev');
    expect(document).toMatchObject({
      '@timestamp': '2026-11-26T06:01:02.345Z',
      message: 'could not reach postgres',
      log: { level: 'error' },
      event: { original: raw },
      service: { name: 'user-service', environment: 'dev' },
      tags: ['_plain_fallback'],
    });
    expect(document).not.toHaveProperty('error');
    expectIndexable(index, document);
  });

  it('keeps a line it cannot parse at all, tagged, in its own data stream', () => {
    const { index, document } = shipOne('Segmentation fault (core dumped)');
    expect(index).toBe('logs-user-service-dev');
    expect(document).toMatchObject({ message: 'Segmentation fault (core dumped)', tags: ['_plain_unparsed'], error: { type: 'json' } });
    expectIndexable(index, document);
  });

  it("maps nginx's error log onto ECS in logs-nginx-<environment>", () => {
    const raw = '2026/11/26 06:02:03 [warn] 29#29: *7 upstream server temporarily disabled while connecting to upstream';
    const { index, document } = shipOne(raw, NGINX_ERROR_LOG_PATH);
    expect(index).toBe(dataStreamName('nginx', 'dev'));
    expect(document).toMatchObject({
      '@timestamp': '2026-11-26T06:02:03.000Z',
      log: { level: 'warn' },
      message: '29#29: *7 upstream server temporarily disabled while connecting to upstream',
      service: { name: 'nginx', environment: 'dev' },
      event: { dataset: 'nginx.error' },
      tags: ['_plain_fallback'],
    });
    expectIndexable(index, document);
  });

  it('routes an event no Filebeat input stamped to the declared logs-unknown stream, keeping its service name, tagged', () => {
    const staging = logFlow('staging');
    const line = JSON.parse(ecsLine({ service: { name: 'order-service' } })) as Record<string, unknown>;
    const { index, document } = staging.runBeatsEvent({ '@timestamp': '2026-11-26T06:00:00.000Z', ...line })!.outputs[0]!;
    expect(index).toBe(dataStreamName(UNROUTED_LOG_SOURCE, 'staging'));
    expect(document).toMatchObject({ service: { name: 'order-service', environment: 'staging' }, tags: ['_unrouted_input'] });
  });

  it("maps nginx's JSON access line onto ECS in logs-nginx-<environment>", () => {
    const raw = JSON.stringify({
      '@timestamp': '2026-11-26T06:03:04+00:00', remote_addr: '172.18.0.1', request_method: 'POST', request_uri: '/orders?dry=1',
      uri: '/orders', args: 'dry=1', server_protocol: 'HTTP/1.1', status: '201', body_bytes_sent: '112', request_length: '245',
      request_time: '0.012', http_referer: '', http_user_agent: 'curl/8.5.0', host: 'localhost', upstream_addr: '172.18.0.5:8000, 172.18.0.6:8000',
      upstream_status: '502, 201', upstream_response_time: '0.001, 0.010', request_id: 'req-nginx-1',
    });
    const { index, document } = shipOne(raw, NGINX_ACCESS_LOG_PATH);
    expect(index).toBe(dataStreamName('nginx', 'dev'));
    expect(document).toEqual(expect.objectContaining({
      '@timestamp': '2026-11-26T06:03:04.000Z',
      message: 'POST /orders?dry=1 201',
      log: expect.objectContaining({ level: 'info' }),
      http: { version: '1.1', request: { id: 'req-nginx-1', method: 'POST', bytes: 245 }, response: { status_code: 201, body: { bytes: 112 } } },
      url: { original: '/orders?dry=1', path: '/orders', query: 'dry=1', domain: 'localhost' },
      source: { address: '172.18.0.1', ip: '172.18.0.1' },
      user_agent: { original: 'curl/8.5.0' },
      event: { duration: 12_000_000, dataset: 'nginx.access', kind: 'event' },
      nginx: { access: { upstream: { address: '172.18.0.5:8000, 172.18.0.6:8000', status: '502, 201', response_time: 0.01 } } },
      service: { name: 'nginx', environment: 'dev' },
    }));
    for (const key of ['remote_addr', 'status', 'request_time', 'upstream_addr', 'request_id', 'http_referer']) expect(document).not.toHaveProperty(key);
    expectIndexable(index, document);
  });

  it('levels nginx access lines by status and drops values nginx leaves empty', () => {
    const line = (status: string, extra: Record<string, string> = {}) =>
      JSON.stringify({ '@timestamp': '2026-11-26T06:03:04+00:00', status, request_time: '1.500', upstream_addr: '', upstream_status: '', upstream_response_time: '', args: '', request_id: 'r', ...extra });
    const served = (status: string, extra?: Record<string, string>) => shipOne(line(status, extra), NGINX_ACCESS_LOG_PATH).document;
    expect(served('503')).toMatchObject({ log: { level: 'error' }, event: { duration: 1_500_000_000 } });
    expect(served('429')).toMatchObject({ log: { level: 'warn' } });
    expect(served('200')).toMatchObject({ log: { level: 'info' } });
    expect(served('200')).not.toHaveProperty('nginx');
    expect(served('200')).not.toHaveProperty('url.query');
    expect(served('200', { upstream_addr: '10.0.0.1:8000', upstream_status: '200', upstream_response_time: '-' })).toMatchObject({
      nginx: { access: { upstream: { address: '10.0.0.1:8000', status: '200' } } },
    });
    expect(served('200', { upstream_addr: '10.0.0.1:8000', upstream_response_time: '-' })).not.toHaveProperty('nginx.access.upstream.response_time');
  });

  it('does not pretend to run what it does not model', () => {
    const config = parseLogstashConfig('filter { ruby { code => "event.cancel" } }\n');
    expect(() => simulatePipeline(config, { message: 'x' }, {})).toThrow(UnsupportedInSimulation);
    const unknownOption = parseLogstashConfig('filter { mutate { split => { "message" => "," } } }\n');
    expect(() => simulatePipeline(unknownOption, { message: 'a,b' }, {})).toThrow(/"split".*not modelled/);
  });

  it('fails like Logstash when an environment variable the pipeline uses is missing', () => {
    expect(() => logFlow('dev', { [LOGSTASH_ENV.platformEnvironment]: undefined })).toThrow(/PLATFORM_ENVIRONMENT is not set/);
    expect(() => logFlow('dev', { [LOGSTASH_ENV.writerPassword]: undefined })).toThrow(/LOGSTASH_WRITER_PASSWORD is not set/);
  });
});
