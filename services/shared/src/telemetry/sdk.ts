/**
 * The OpenTelemetry SDK of a service, started by register.ts only when tracing is on: the
 * upstream SDK (no distribution; see services/README.md, "Tracing") with one instrumentation
 * per library the services use, exporting over OTLP/HTTP from a bounded background queue.
 */
import { register } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HEALTH_PATH, METRICS_PATH, READY_PATH } from '@platform/contract';
import { traceLogFields } from './log-correlation.js';
import { installTelemetryRuntime } from './runtime.js';
import type { TracingSettings } from './settings.js';

/** Probes and scrapes: every few seconds each, they would bury the requests in traces. */
const UNTRACED_PATHS = new Set([HEALTH_PATH, READY_PATH, METRICS_PATH]);
const untraced = (url: string | undefined) => UNTRACED_PATHS.has((url ?? '').split('?')[0]!);

export async function startTracing(settings: Extract<TracingSettings, { enabled: true }>): Promise<void> {
  // ESM: the services' imports of fastify, pg and ioredis reach the instrumentations only
  // through a loader hook. This one hooks only the modules the instrumentations below ask for
  // (import-in-the-middle v3.6.0 README, "createAddHookMessageChannel"), not every module.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const resource = defaultResource()
    .merge(
      resourceFromAttributes({
        'service.name': settings.serviceName,
        'deployment.environment.name': settings.environment,
      }),
    )
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win, as the specification has it.
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    // Unset OTEL_TRACES_SAMPLER: our default ratio; set: the SDK reads it and _ARG itself.
    ...(settings.defaultSampleRatio === undefined
      ? {}
      : { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.defaultSampleRatio) }) }),
    // The batch processor never makes a request wait: spans go to a bounded queue
    // (OTEL_BSP_MAX_QUEUE_SIZE, 2048; more are dropped) exported in the background
    // (@opentelemetry/sdk-trace-base v2.11.0 BatchSpanProcessorBase).
    spanProcessors: [new BatchSpanProcessor(await otlpExporter(settings.protocol))],
  });
  // The global tracer provider, AsyncLocalStorage context and W3C traceparent/baggage propagation.
  provider.register();

  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request: IncomingMessage) => untraced(request.url) }),
      // Node's global fetch (order-service -> user-service) is undici: client spans and traceparent.
      new UndiciInstrumentation(),
      // Route-level spans (route name, handler) without one span per Fastify hook; the maintained
      // successor of @opentelemetry/instrumentation-fastify. It hooks every app as it is created
      // (diagnostics channel `fastify.initialization`), so the kit's buildApp needs no change.
      new FastifyOtelInstrumentation({ registerOnInitialization: true, instrumentHooks: false, ignorePaths: ({ url }) => untraced(url) }),
      // Only inside a traced request: migrations, pool checks and the cache-invalidation
      // connection's heartbeat (one PING a second) would otherwise each be a trace of their own.
      new PgInstrumentation({ requireParentSpan: true }),
      // Supports ioredis >=2.0.0 <7 (@opentelemetry/instrumentation-ioredis v0.70.0 instrumentation.ts), so 6.0.0.
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  await waitForAllMessagesAcknowledged();

  installTelemetryRuntime({ logFields: traceLogFields, shutdown: () => provider.shutdown() });
}

/** The OTLP/HTTP exporter for the protocol; it reads the endpoint, headers, timeout and CA variables itself. */
async function otlpExporter(protocol: Extract<TracingSettings, { enabled: true }>['protocol']): Promise<SpanExporter> {
  if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
}
