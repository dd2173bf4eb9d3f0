import type { estypes } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { LOG_MAPPINGS } from '../../constructs/elastic/log-mappings.js';
import { MappingChecker, matchesIndexPattern } from '../support/mapping-checker.js';

const fieldsOf = (violations: { field: string }[]) => violations.map((v) => v.field);
const check = (document: Record<string, unknown>, mappings: estypes.MappingTypeMapping = LOG_MAPPINGS) => new MappingChecker(mappings).check(document);

const GOOD_LINE = {
  '@timestamp': '2026-11-26T06:00:00.123Z',
  'log.level': 'info',
  message: 'user created',
  'ecs.version': '8.10.0',
  service: { name: 'user-service', environment: 'dev' },
  'http.request.id': 'abc-123',
  http: { request: { method: 'POST' }, response: { status_code: 201 } },
  'event.action': 'user_created',
  'user.id': '42',
  'process.pid': 123,
  'host.hostname': 'box',
  'source.ip': '::1',
};

describe('MappingChecker', () => {
  it('accepts a well-formed ECS line, dotted and nested keys mixed', () => {
    expect(check(GOOD_LINE)).toEqual([]);
  });

  it('treats dotted and nested keys as the same field, in both directions', () => {
    expect(fieldsOf(check({ 'http.response.status_code': 'teapot' }))).toEqual(['http.response.status_code']);
    expect(fieldsOf(check({ http: { response: { status_code: 'teapot' } } }))).toEqual(['http.response.status_code']);
    expect(fieldsOf(check({ http: { 'response.status_code': 'teapot' } }))).toEqual(['http.response.status_code']);
  });

  it('rejects an object where the mapping has a value field, and a value where it has an object', () => {
    expect(check({ service: { name: { first: 'user' } } })).toEqual([{ field: 'service.name', reason: 'mapped as keyword, got an object' }]);
    expect(fieldsOf(check({ log: 'info' }))).toEqual(['log']);
    expect(fieldsOf(check({ 'service.name.first': 'user' }))).toEqual(['service.name']);
  });

  it('rejects a field written both dotted and nested in one line', () => {
    expect(check({ 'log.level': 'info', log: { level: 'warn' } }).map((v) => v.reason)).toEqual([expect.stringMatching(/written twice/)]);
  });

  it.each([
    [{ '@timestamp': 'yesterday' }, '@timestamp'],
    [{ '@timestamp': '2026-13-01T00:00:00Z' }, '@timestamp'],
    [{ 'source.ip': 'not-an-ip' }, 'source.ip'],
    [{ 'process.pid': 'one' }, 'process.pid'],
    [{ 'process.pid': true }, 'process.pid'],
    [{ 'process.pid': 2 ** 64 }, 'process.pid'],
    [{ 'event.duration': '1.5e' }, 'event.duration'],
  ])('rejects a value its type cannot hold: %o', (document, field) => {
    expect(fieldsOf(check(document))).toEqual([field]);
  });

  it.each([
    [{ '@timestamp': '2026-11-26' }],
    [{ '@timestamp': '2026-11-26T06:00:00+01:00' }],
    [{ '@timestamp': 1764136800000 }],
    [{ 'process.pid': '123' }], // numeric strings are coerced, as Elasticsearch does by default
    [{ 'user.id': 42 }], // numbers index into keyword fields
    [{ tags: ['a', 'b'] }],
    [{ 'error.message': null }],
  ])('accepts what Elasticsearch accepts: %o', (document) => {
    expect(check(document)).toEqual([]);
  });

  it('maps undeclared fields from their first value and rejects later documents that disagree', () => {
    const checker = new MappingChecker(LOG_MAPPINGS);
    expect(checker.check({ 'custom.field': 'a string' })).toEqual([]);
    expect(checker.check({ custom: { field: { nested: 1 } } })).toEqual([{ field: 'custom.field', reason: 'mapped as keyword, got an object' }]);
    expect(checker.check({ custom: 'now a value' })).toEqual([{ field: 'custom', reason: 'mapped as an object, got the value "now a value"' }]);
    // A fresh checker (a fresh index) has no such memory.
    expect(new MappingChecker(LOG_MAPPINGS).check({ custom: 'now a value' })).toEqual([]);
  });

  it('rejects undeclared fields under dynamic: strict, ignores them under dynamic: false', () => {
    const strict: estypes.MappingTypeMapping = { dynamic: 'strict', properties: { a: { type: 'keyword' } } };
    expect(fieldsOf(check({ a: 'x', b: 'y' }, strict))).toEqual(['b']);
    expect(check({ a: 'x', b: { c: 1 } }, { dynamic: false, properties: { a: { type: 'keyword' } } })).toEqual([]);
  });

  it('refuses to judge a field type it does not model', () => {
    expect(() => check({ shape: 'POINT (1 2)' }, { properties: { shape: { type: 'geo_shape' } } })).toThrow(/"geo_shape" is not modelled/);
  });
});

describe('matchesIndexPattern', () => {
  it('matches * across any characters, and nothing else', () => {
    expect(matchesIndexPattern('logs-user-service-dev', 'logs-*-dev')).toBe(true);
    expect(matchesIndexPattern('logs-user-service-staging', 'logs-*-dev')).toBe(false);
    expect(matchesIndexPattern('logs-user-service-dev', 'logs-user.service-*')).toBe(false);
  });
});
