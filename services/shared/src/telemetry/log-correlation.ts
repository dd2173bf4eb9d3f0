import { context, isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * pino mixin: the active span's ids as ECS `trace.id` and `span.id` (dotted keys, as
 * @elastic/ecs-pino-format v1.5.0 itself writes them with its Elastic APM integration), so
 * Kibana links a log line to its trace. Lines of requests the sampler dropped carry them too:
 * their ids still travel in `traceparent`, so the lines of one request correlate across services.
 * A new object every time: pino's default merge strategy assigns the line's fields into it.
 */
export function traceLogFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return {};
  return { 'trace.id': spanContext.traceId, 'span.id': spanContext.spanId };
}
