/**
 * The two things the rest of the kit needs from tracing, reachable without loading
 * OpenTelemetry: the SDK (sdk.ts, loaded only when tracing is on) installs them here, and with
 * tracing off both are no-ops. A global symbol rather than module state, so the register
 * module and the service see one another even if the kit were loaded twice (source and build).
 */
const RUNTIME = Symbol.for('platform.service-kit.telemetry');

export interface TelemetryRuntime {
  /** pino mixin: ECS `trace.id` / `span.id` of the active span, `{}` outside one. */
  readonly logFields: () => Record<string, string>;
  /** Exports the spans still buffered and stops the SDK. */
  readonly shutdown: () => Promise<void>;
}

type WithRuntime = typeof globalThis & { [RUNTIME]?: TelemetryRuntime };

export function installTelemetryRuntime(runtime: TelemetryRuntime): void {
  (globalThis as WithRuntime)[RUNTIME] = runtime;
}

/** True once the register module has started the SDK in this process. */
export function tracingActive(): boolean {
  return (globalThis as WithRuntime)[RUNTIME] !== undefined;
}

/** The pino mixin that adds `trace.id` / `span.id`, or undefined with tracing off (no per-line cost then). */
export function traceLogMixin(): (() => Record<string, string>) | undefined {
  return (globalThis as WithRuntime)[RUNTIME]?.logFields;
}

/**
 * Flushes buffered spans within `timeoutMs` (a receiver that is down or never answers costs
 * at most that), then resolves; never rejects. Nothing to do with tracing off.
 */
export async function flushTelemetry(timeoutMs: number): Promise<void> {
  const runtime = (globalThis as WithRuntime)[RUNTIME];
  if (!runtime) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    runtime.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, timeoutMs));
    }),
  ]);
  clearTimeout(timer);
}
