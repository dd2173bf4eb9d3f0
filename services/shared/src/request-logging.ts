import { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { acceptsPartlySerialized, PartlySerializedFields } from './flat-lines.js';

const ROUTE_TEMPLATE = Symbol('routeTemplate');
const EVENT_FIELDS = Symbol('eventFields');
type WithEventFields = { [EVENT_FIELDS]?: Record<string, unknown> | null };
/** A route's template, and the same as a JSON string for the completion line. */
type RouteName = { readonly template: string; readonly json: string };
type WithRouteTemplate = { [ROUTE_TEMPLATE]?: RouteName | null };

/**
 * Per-request fields the completion line and the metrics read. Call before any route is added.
 * `request.routeOptions` builds a new object of a dozen fields on every read (fastify v5.12.8
 * lib/request.js, `routeOptions` getter): about a tenth of a cached read's CPU when the
 * completion line and the metrics hook each read it (BENCHMARKS.md). So each route gets,
 * once, a hook that hands its template to the request.
 */
export function installRequestFields(app: FastifyInstance): void {
  // Declared up front so Fastify's Request keeps one shape (no property added per request).
  app.decorateRequest(ROUTE_TEMPLATE, null);
  app.decorateRequest(EVENT_FIELDS, null);
  app.addHook('onRoute', (route) => {
    const name: RouteName = { template: route.url, json: JSON.stringify(route.url) };
    const setTemplate = (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      (request as unknown as WithRouteTemplate)[ROUTE_TEMPLATE] = name;
      done();
    };
    const own = route.onRequest;
    route.onRequest = own === undefined ? [setTemplate] : [setTemplate, ...(Array.isArray(own) ? own : [own])];
  });
}

/** The route template a request matched (`/users/:id`), or `unmatched`; bounded, so fit for metrics labels. */
export function routeOf(request: FastifyRequest): string {
  const name = (request as unknown as WithRouteTemplate)[ROUTE_TEMPLATE];
  if (name) return name.template;
  // Answered before the route's own hooks ran (a 503 while closing), or no route matched.
  return request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
}

/**
 * Domain event fields (`event.action`, `user.id`, `order.id`, `labels.cache`) for the
 * request's one `request completed` line: at most one info line per request.
 */
export function recordEvent(request: FastifyRequest, fields: Record<string, unknown>): void {
  const holder = request as unknown as WithEventFields;
  holder[EVENT_FIELDS] = holder[EVENT_FIELDS] ? { ...holder[EVENT_FIELDS], ...fields } : fields;
}

/** The fixed fields of a completion line, in line order; an event field of the same name does not override them. */
const HTTP_FIELD_NAMES = ['http.request.method', 'url.path', 'http.route', 'http.response.status_code', 'event.duration'] as const;

/** ECS fields that describe a finished request (and its domain event, if one was recorded). */
export function httpFields(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    'http.request.method': request.method,
    'url.path': urlPath(request),
    'http.route': routeOf(request),
    'http.response.status_code': reply.statusCode,
    'event.duration': eventDuration(reply),
  };
  // The event's fields are added to the fixed ones, not spread first: properties added after a
  // spread of a varying object are slow to add (they cost more than the rest of this function),
  // and the http fields keep precedence as before.
  const event = (request as unknown as WithEventFields)[EVENT_FIELDS];
  if (event) {
    for (const key in event) if (!(key in fields)) fields[key] = event[key];
  }
  return fields;
}

function urlPath(request: FastifyRequest): string {
  const query = request.url.indexOf('?'); // runs for every request: no split, no array
  return query === -1 ? request.url : request.url.slice(0, query);
}

/** ECS event.duration is in nanoseconds. */
function eventDuration(reply: FastifyReply): number {
  return Math.round(reply.elapsedTime * 1e6);
}

/**
 * The completion line's fields for a logger that takes them partly serialized: the http
 * fields written straight into JSON text, the event's fields left as they are. The same
 * line as `httpFields` gives (a test compares them), 4-12% more cached reads per CPU-second
 * in the service (BENCHMARKS.md, round 6).
 */
class CompletionFields extends PartlySerializedFields {
  readonly json: string;
  readonly rest: Record<string, unknown> | undefined;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    event: Record<string, unknown> | undefined,
  ) {
    super();
    const route = (request as unknown as WithRouteTemplate)[ROUTE_TEMPLATE];
    // Numbers as JSON writes them: both are finite (a status code, a rounded duration).
    this.json =
      `,"http.request.method":${JSON.stringify(request.method)},"url.path":${JSON.stringify(urlPath(request))}` +
      `,"http.route":${route ? route.json : JSON.stringify(routeOf(request))},"http.response.status_code":${reply.statusCode}` +
      `,"event.duration":${eventDuration(reply)}`;
    this.rest = event;
  }

  get serializedKeys(): readonly string[] {
    return HTTP_FIELD_NAMES;
  }

  expand(): Record<string, unknown> {
    return httpFields(this.request, this.reply);
  }
}

/** The completion line's fields in the cheapest form `log` takes. */
function completionFields(log: FastifyBaseLogger, request: FastifyRequest, reply: FastifyReply): object {
  const event = (request as unknown as WithEventFields)[EVENT_FIELDS];
  if (!acceptsPartlySerialized(log) || (event && HTTP_FIELD_NAMES.some((key) => key in event))) return httpFields(request, reply);
  return new CompletionFields(request, reply, event ?? undefined);
}

/** Whether a line at `level` would be written; a logger that cannot tell (not pino) is asked to write it. */
function levelEnabled(log: FastifyBaseLogger, level: 'info' | 'error'): boolean {
  const pinoLike = log as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };
  return pinoLike.isLevelEnabled ? pinoLike.isLevelEnabled(level) : true;
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
    // Fastify calls this whatever the level: with the line's level off (LOG_LEVEL=silent), build nothing.
    if (error) {
      if (levelEnabled(reply.log, 'error')) reply.log.error({ ...httpFields(request, reply), err: error }, 'request errored');
    } else if (levelEnabled(reply.log, 'info')) {
      reply.log.info(completionFields(reply.log, request, reply), 'request completed');
    }
  }

  override routeNotFound(): void {
    // The not-found handler answers 404 and the completion line records it.
  }

  override serviceUnavailable(logger: FastifyBaseLogger): void {
    logger.info({ 'http.response.status_code': 503 }, 'request refused: server is closing');
  }
}
