import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

/** The route template a request matched (`/users/:id`), or `unmatched`; bounded, so fit for metrics labels. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

const EVENT_FIELDS = Symbol('eventFields');
type WithEventFields = { [EVENT_FIELDS]?: Record<string, unknown> };

/**
 * Domain event fields (`event.action`, `user.id`, `order.id`, `labels.cache`) for the
 * request's one `request completed` line: at most one info line per request.
 */
export function recordEvent(request: FastifyRequest, fields: Record<string, unknown>): void {
  const holder = request as unknown as WithEventFields;
  holder[EVENT_FIELDS] = holder[EVENT_FIELDS] ? { ...holder[EVENT_FIELDS], ...fields } : fields;
}

/** ECS fields that describe a finished request (and its domain event, if one was recorded). */
export function httpFields(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const query = request.url.indexOf('?'); // runs for every request: no split, no array
  const event = (request as unknown as WithEventFields)[EVENT_FIELDS];
  return {
    ...event,
    'http.request.method': request.method,
    'url.path': query === -1 ? request.url : request.url.slice(0, query),
    'http.route': routeOf(request),
    'http.response.status_code': reply.statusCode,
    // ECS event.duration is in nanoseconds.
    'event.duration': Math.round(reply.elapsedTime * 1e6),
  };
}

/**
 * Fastify's request log lines in ECS terms: one `request completed` line per request with
 * `http.*`, `url.path` and `event.duration`, instead of Fastify's `req`/`res` objects. The
 * request id is bound as `http.request.id` on every request-scoped line.
 */
export class EcsLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'http.request.id' });
  }

  override incomingRequest(): void {
    // One line per request (on completion) carries everything; an extra "incoming" line only doubles volume.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ ...httpFields(request, reply), err: error }, 'request errored');
    } else {
      reply.log.info(httpFields(request, reply), 'request completed');
    }
  }

  override routeNotFound(): void {
    // The not-found handler answers 404 and the completion line records it.
  }

  override serviceUnavailable(logger: FastifyBaseLogger): void {
    logger.info({ 'http.response.status_code': 503 }, 'request refused: server is closing');
  }
}
