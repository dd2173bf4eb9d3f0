import { describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_LOG_SOURCE,
  ENVIRONMENT_NAME_PATTERN,
  LOG_ROOT,
  NGINX_ACCESS_LOG_PATH,
  NGINX_ERROR_LOG_PATH,
  NGINX_LOG_SOURCE,
  SERVICE_NAME_PATTERN,
  SERVICES,
  UNROUTED_LOG_SOURCE,
  dataStreamName,
  serviceByName,
  serviceLogFile,
  serviceLogGlob,
} from '../src/index.js';

describe('@platform/contract', () => {
  it('every catalog service has a valid, unique name, and no service takes a reserved log source', () => {
    const names = SERVICES.map((s) => s.name);
    for (const name of names) expect(name).toMatch(SERVICE_NAME_PATTERN);
    expect(new Set(names).size).toBe(names.length);
    for (const reserved of [NGINX_LOG_SOURCE, UNROUTED_LOG_SOURCE, DEAD_LETTER_LOG_SOURCE]) expect(names).not.toContain(reserved);
  });

  it('every service a service calls is declared', () => {
    for (const service of SERVICES) for (const target of Object.values(service.calls)) expect(serviceByName(target).name).toBe(target);
    expect(() => serviceByName('ghost-service')).toThrow(/Unknown service "ghost-service"; declared services: user-service, order-service/);
  });

  it('each log source has a data stream of its own per environment', () => {
    const sources = [...SERVICES.map((s) => s.name), NGINX_LOG_SOURCE, UNROUTED_LOG_SOURCE, DEAD_LETTER_LOG_SOURCE];
    expect(new Set(sources.map((source) => dataStreamName(source, 'dev'))).size).toBe(sources.length);
    expect(dataStreamName('user-service', 'staging')).toBe('logs-user-service-staging');
  });

  it("a replica's log file lies under its service's Filebeat glob, and every log file under LOG_ROOT", () => {
    const file = serviceLogFile('user-service', 'user-service-1');
    expect(file).toBe(`${LOG_ROOT}/user-service/user-service-1.log`);
    expect(serviceLogGlob('user-service')).toBe(`${LOG_ROOT}/user-service/*.log`);
    for (const path of [file, NGINX_ACCESS_LOG_PATH, NGINX_ERROR_LOG_PATH]) expect(path.startsWith(`${LOG_ROOT}/`)).toBe(true);
  });

  it('environment names have no "-" (the separator of data-stream and Elastic object names)', () => {
    for (const name of ['dev', 'staging', 'prod2']) expect(name).toMatch(ENVIRONMENT_NAME_PATTERN);
    for (const name of ['d', 'Dev', 'dev-eu', '2dev', 'a'.repeat(17)]) expect(name).not.toMatch(ENVIRONMENT_NAME_PATTERN);
  });
});
