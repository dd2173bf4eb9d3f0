import type { BaseConfig } from './config.js';
import { ConfigError } from './config.js';
import { startService, type ServiceDefinition } from './service.js';
import { flushTelemetry } from './telemetry/runtime.js';
import { TRACE_FLUSH_TIMEOUT_MS } from './telemetry/settings.js';

/**
 * The process entry point of a service: starts it from `process.env` and stops it cleanly on
 * SIGTERM/SIGINT (stop accepting, finish in-flight requests, close pools, exit 0). A bad
 * configuration prints one line naming the variable and exits 1.
 */
export async function runMain<C extends BaseConfig>(definition: ServiceDefinition<C>): Promise<void> {
  let service;
  try {
    service = await startService(definition, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
    } else {
      process.stderr.write(`${definition.name}: start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = 1;
    return;
  }
  const { logger } = service;
  const timeoutMs = service.config.SHUTDOWN_TIMEOUT_MS;
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ 'event.action': 'shutdown' }, `${signal} received, shutting down`);
    const deadline = Date.now() + timeoutMs;
    const force = setTimeout(() => {
      logger.error({ 'event.action': 'shutdown' }, `in-flight requests did not finish within ${timeoutMs} ms; exiting`);
      process.exit(1);
    }, timeoutMs);
    force.unref();
    // Buffered spans go out last (the requests' own spans end as they finish), within a bound
    // that leaves the exit before the force timer even if the trace receiver never answers.
    const flushSpans = () => flushTelemetry(Math.min(TRACE_FLUSH_TIMEOUT_MS, deadline - Date.now() - 100));
    service.close().then(
      () => flushSpans().then(() => process.exit(0)),
      () => flushSpans().then(() => process.exit(1)),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // A bug that escapes every handler leaves the process in an unknown state: record it and
  // exit non-zero so the container restarts, rather than limping on.
  const crash = (error: unknown) => {
    logger.fatal({ err: error, 'event.action': 'crash' }, 'unhandled error; exiting');
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
