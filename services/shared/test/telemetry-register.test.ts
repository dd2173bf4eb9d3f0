/**
 * The telemetry register module as the image runs it (`node --import
 * @platform/service-kit/telemetry/register`, from the build: needs `npm run build`), watched by
 * a resolve hook that reports every module the process loads after it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TELEMETRY_REGISTER_MODULE } from '../src/telemetry/settings.js';

const SERVICE_DIR = fileURLToPath(new URL('../../user-service/', import.meta.url));
const RECORDER = fileURLToPath(new URL('./fixtures/record-resolutions.mjs', import.meta.url));
const KIT_DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const OTEL_PACKAGE = /\/node_modules\/(@opentelemetry\/[^/]+|@fastify\/otel|import-in-the-middle)\//;

/** Runs `node --import <recorder> --import <register> <script>` from user-service's directory with exactly `env`. */
function run(env: Record<string, string>, script = '-e') {
  const args = ['--import', RECORDER, '--import', TELEMETRY_REGISTER_MODULE, ...(script === '-e' ? ['-e', ''] : [script])];
  const result = spawnSync(process.execPath, args, { cwd: SERVICE_DIR, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });
  const resolved = [...result.stderr.matchAll(/^resolved (\S+)$/gm)].map((m) => m[1]!);
  const otelPackages = new Set(resolved.flatMap((url) => url.match(OTEL_PACKAGE)?.[1] ?? []));
  const kitFiles = new Set(resolved.filter((url) => url.startsWith(`file://${KIT_DIST}`)).map((url) => url.slice(`file://${KIT_DIST}`.length)));
  const output = result.stderr.replace(/^resolved \S+\n/gm, '') + result.stdout;
  return { status: result.status, otelPackages, kitFiles, output };
}

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };

describe('telemetry register module', () => {
  it('with no OTLP endpoint loads nothing but its own check: no OpenTelemetry package, no other kit module', () => {
    const result = run({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'x' });
    expect(result.status).toBe(0);
    expect(result.otelPackages).toEqual(new Set());
    expect(result.kitFiles).toEqual(new Set(['telemetry/register.js', 'telemetry/settings.js']));
  });

  it('with an endpoint but OTEL_SDK_DISABLED=true loads no OpenTelemetry package either', () => {
    const result = run({ ...ENDPOINT, OTEL_SDK_DISABLED: 'true' });
    expect(result.status).toBe(0);
    expect(result.otelPackages).toEqual(new Set());
  });

  it('with an endpoint loads the SDK, the instrumentations and the protobuf exporter only (the default protocol)', () => {
    const result = run(ENDPOINT);
    expect(result.status, result.output).toBe(0);
    for (const name of [
      '@opentelemetry/sdk-trace-node',
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-undici',
      '@opentelemetry/instrumentation-pg',
      '@opentelemetry/instrumentation-ioredis',
      '@fastify/otel',
      'import-in-the-middle',
      '@opentelemetry/exporter-trace-otlp-proto',
    ]) {
      expect(result.otelPackages).toContain(name);
    }
    expect(result.otelPackages).not.toContain('@opentelemetry/exporter-trace-otlp-http');
  });

  it('with OTEL_EXPORTER_OTLP_PROTOCOL=http/json loads the JSON exporter instead', () => {
    const result = run({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(result.status, result.output).toBe(0);
    expect(result.otelPackages).toContain('@opentelemetry/exporter-trace-otlp-http');
    expect(result.otelPackages).not.toContain('@opentelemetry/exporter-trace-otlp-proto');
  });

  it('a malformed tracing variable stops the service before it starts, with one line naming the variable and exit code 1', () => {
    const result = run({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'dist/main.js');
    expect(result.status).toBe(1);
    expect(result.output).toBe(
      'user-service: Invalid configuration: OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json (got "grpc"; grpc is not shipped in the image)\n',
    );
  });
});
