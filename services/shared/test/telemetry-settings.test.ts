import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLE_RATIO, packageServiceName, TracingConfigError, tracingSettings } from '../src/telemetry/settings.js';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://apm-server:8200' };
const settings = (env: NodeJS.ProcessEnv) => tracingSettings(env, 'user-service');

describe('tracingSettings', () => {
  it('is off without an endpoint, whatever else is set', () => {
    expect(settings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'always_on' })).toEqual({ enabled: false, reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT' });
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }).enabled).toBe(false);
  });

  it('is off with OTEL_SDK_DISABLED=true (any case) or OTEL_TRACES_EXPORTER=none, even with an endpoint', () => {
    expect(settings({ ...ENDPOINT, OTEL_SDK_DISABLED: 'TRUE' })).toEqual({ enabled: false, reason: 'OTEL_SDK_DISABLED=true' });
    expect(settings({ ...ENDPOINT, OTEL_TRACES_EXPORTER: 'none' })).toEqual({ enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' });
    expect(settings({ ...ENDPOINT, OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
  });

  it('is on with either endpoint variable; defaults: http/protobuf, the service name, the default ratio, environment dev', () => {
    expect(settings(ENDPOINT)).toEqual({ enabled: true, serviceName: 'user-service', protocol: 'http/protobuf', defaultSampleRatio: DEFAULT_SAMPLE_RATIO, environment: 'dev' });
    expect(settings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }).enabled).toBe(true);
  });

  it('takes OTEL_SERVICE_NAME, SERVICE_ENVIRONMENT and the protocol, the traces-specific protocol first', () => {
    expect(settings({ ...ENDPOINT, OTEL_SERVICE_NAME: 'users-canary', SERVICE_ENVIRONMENT: 'staging', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({
      serviceName: 'users-canary',
      environment: 'staging',
      protocol: 'http/json',
    });
    expect(settings({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toMatchObject({ protocol: 'http/protobuf' });
  });

  it('leaves sampling to the SDK once OTEL_TRACES_SAMPLER is set; OTEL_TRACES_SAMPLER_ARG alone sets the default sampler ratio', () => {
    expect(settings({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' })).toMatchObject({ defaultSampleRatio: undefined });
    expect(settings({ ...ENDPOINT, OTEL_TRACES_SAMPLER_ARG: '0.25' })).toMatchObject({ defaultSampleRatio: 0.25 });
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json'],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'json' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be one of'],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "1.5")'],
    [{ OTEL_TRACES_SAMPLER_ARG: 'half' }, 'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER must be otlp or none'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'apm-server:8200' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => settings({ ...ENDPOINT, ...env })).toThrow(TracingConfigError);
    expect(() => settings({ ...ENDPOINT, ...env })).toThrow(message);
  });
});

describe('packageServiceName', () => {
  const dir = mkdtempSync(join(tmpdir(), 'service-name-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is the unscoped name of the package holding the entry script, looking up from the script's directory", () => {
    mkdirSync(join(dir, 'svc', 'dist'), { recursive: true });
    writeFileSync(join(dir, 'svc', 'package.json'), JSON.stringify({ name: '@platform/order-service' }));
    expect(packageServiceName(join(dir, 'svc', 'dist', 'main.js'))).toBe('order-service');
    expect(packageServiceName(undefined)).toBeUndefined();
  });

  it('names the real services after their catalog names', () => {
    for (const service of ['user-service', 'order-service']) {
      expect(packageServiceName(new URL(`../../${service}/dist/main.js`, import.meta.url).pathname)).toBe(service);
    }
  });
});
