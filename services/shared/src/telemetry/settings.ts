/**
 * What the standard OpenTelemetry environment variables ask of a service's tracing, decided
 * without loading any of OpenTelemetry: the `--import` register module reads this first and
 * loads the SDK only when tracing is on (see register.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The module every service process imports first (`node --import <this> dist/main.js`): the
 * image's CMD, the services' `npm start`, the tests and the bench all start them this way.
 */
export const TELEMETRY_REGISTER_MODULE = '@platform/service-kit/telemetry/register';

/** OTLP encodings a service can export with; `http/protobuf` is the specification's default. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** `OTEL_TRACES_SAMPLER` values the SDK implements (the specification's built-in samplers). */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * The sampler when `OTEL_TRACES_SAMPLER` is unset: `parentbased_traceidratio` at this ratio.
 * Parent-based, so a trace started upstream (nginx, order-service) is kept or dropped as a
 * whole; 10% of new traces, because the bench (BENCHMARKS.md, "Tracing") shows what tracing
 * every request costs in CPU per request, and one request in ten still gives Kibana's APM app
 * latency distributions by route and example traces at a few requests per second.
 */
export const DEFAULT_SAMPLE_RATIO = 0.1;

/** Upper bound of the span flush at shutdown: a receiver that is gone must not hold the exit. */
export const TRACE_FLUSH_TIMEOUT_MS = 2000;

export type TracingSettings =
  | { readonly enabled: false; readonly reason: string }
  | {
      readonly enabled: true;
      readonly serviceName: string;
      readonly protocol: OtlpProtocol;
      /** The ratio of `parentbased_traceidratio` when OTEL_TRACES_SAMPLER is unset, else undefined (the SDK reads the variables). */
      readonly defaultSampleRatio: number | undefined;
      /** `deployment.environment.name` of the spans: the service's SERVICE_ENVIRONMENT, as on its log lines. */
      readonly environment: string;
    };

/** A tracing variable with a value the SDK would not use as meant; start-up stops on it. */
export class TracingConfigError extends Error {}

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Tracing is on when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT, or the
 * traces-specific one) and neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none says
 * otherwise. Throws TracingConfigError naming the variable when a value is malformed.
 */
export function tracingSettings(env: NodeJS.ProcessEnv, defaultServiceName: string): TracingSettings {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  if (!set(env.OTEL_EXPORTER_OTLP_ENDPOINT) && !set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) {
    return { enabled: false, reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT' };
  }
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter === 'none') return { enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' };
  if (set(exporter) && exporter !== 'otlp') throw new TracingConfigError(`OTEL_TRACES_EXPORTER must be otlp or none (got "${exporter}")`);
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] as const) {
    const value = env[name];
    if (set(value) && !/^https?:\/\/[^/]/.test(value.trim())) throw new TracingConfigError(`${name} must be an http:// or https:// URL (got "${value}")`);
  }
  const protocol = protocolOf(env);
  const sampler = env.OTEL_TRACES_SAMPLER?.trim();
  if (set(sampler) && !(TRACES_SAMPLERS as readonly string[]).includes(sampler)) {
    throw new TracingConfigError(`OTEL_TRACES_SAMPLER must be one of ${TRACES_SAMPLERS.join(', ')} (got "${sampler}")`);
  }
  const ratio = ratioOf(env.OTEL_TRACES_SAMPLER_ARG);
  return {
    enabled: true,
    serviceName: set(env.OTEL_SERVICE_NAME) ? env.OTEL_SERVICE_NAME.trim() : defaultServiceName,
    protocol,
    defaultSampleRatio: set(sampler) ? undefined : (ratio ?? DEFAULT_SAMPLE_RATIO),
    environment: set(env.SERVICE_ENVIRONMENT) ? env.SERVICE_ENVIRONMENT.trim() : 'dev',
  };
}

function protocolOf(env: NodeJS.ProcessEnv): OtlpProtocol {
  // The traces-specific variable wins over the general one, as in the SDK's exporters.
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const) {
    const value = env[name]?.trim();
    if (!set(value)) continue;
    if ((OTLP_PROTOCOLS as readonly string[]).includes(value)) return value as OtlpProtocol;
    throw new TracingConfigError(`${name} must be one of ${OTLP_PROTOCOLS.join(', ')} (got "${value}"; grpc is not shipped in the image)`);
  }
  return 'http/protobuf';
}

function ratioOf(raw: string | undefined): number | undefined {
  if (!set(raw)) return undefined;
  const ratio = Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new TracingConfigError(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "${raw}")`);
  return ratio;
}

/**
 * The default `service.name`: the name of the package that holds the entry script
 * (`@platform/user-service` -> `user-service`), i.e. the catalog name of the service whose
 * `dist/main.js` (or `src/main.ts`) runs. Undefined when no package.json is found.
 */
export function packageServiceName(entryScript: string | undefined): string | undefined {
  if (!entryScript) return undefined;
  for (let dir = dirname(entryScript); ; dir = dirname(dir)) {
    try {
      const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (typeof name === 'string' && name) return name.replace(/^@[^/]+\//, '');
    } catch {
      // No (readable) package.json here: look further up.
    }
    if (dirname(dir) === dir) return undefined;
  }
}
