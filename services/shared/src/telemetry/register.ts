/**
 * The `--import` entry of every service (`node --import @platform/service-kit/telemetry/register
 * dist/main.js`, the image's CMD): OpenTelemetry must hook the libraries before the service's
 * modules load them. With tracing off (no OTLP endpoint, or OTEL_SDK_DISABLED=true) it reads
 * the variables and loads nothing more; a malformed tracing variable stops start-up with one
 * line naming it, like every other setting.
 */
import { packageServiceName, TracingConfigError, tracingSettings } from './settings.js';

const serviceName = packageServiceName(process.argv[1]) ?? 'service';
try {
  const settings = tracingSettings(process.env, serviceName);
  if (settings.enabled) await (await import('./sdk.js')).startTracing(settings);
} catch (error) {
  const message = error instanceof TracingConfigError ? `Invalid configuration: ${error.message}` : `tracing start-up failed: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${serviceName}: ${message}\n`);
  process.exit(1);
}
