import { nginxAccessLogFormat } from '../pipelines/index.js';
import { NGINX_ACCESS_LOG_PATH, NGINX_ERROR_LOG_PATH, REQUEST_ID_HEADER, SANE_REQUEST_ID_PATTERN, SERVICE_NAME_PATTERN } from '@platform/contract';
import { ValidationError, requireWholeNumber } from './private/validation.js';

/** One routed service: its public path prefix and every replica nginx balances over. */
export interface NginxRoute {
  /** Upstream name; the service's name. */
  readonly service: string;
  /** Public path prefix, e.g. `/users`: serves `/users` and everything below `/users/`. */
  readonly routePrefix: string;
  /** `host:port` of every replica. */
  readonly servers: readonly string[];
}

export interface NginxConfigOptions {
  readonly routes: readonly NginxRoute[];
  /** Port nginx listens on inside its container. @default 8080 */
  readonly listenPort?: number;
  /** Largest request body accepted (nginx size syntax). @default '1m' */
  readonly clientMaxBodySize?: string;
  /** Sustained requests per second per client address. @default 20 */
  readonly ratePerSecond?: number;
  /** Requests per client above the rate served without delay before 429s start. @default 40 */
  readonly burst?: number;
  /**
   * Resolve upstream names at run time through this DNS server (nginx's `resolver`, and
   * `resolve` on every upstream server, open-source nginx 1.27.3 and later). A replica that is
   * down or replaced is then picked up again without restarting nginx, and nginx starts even
   * while a replica's name does not resolve. `false` resolves names once at start (older nginx),
   * where one missing replica stops nginx from starting.
   * @default DOCKER_EMBEDDED_DNS ('127.0.0.11', Docker's DNS on user-defined networks)
   */
  readonly resolver?: string | false;
}

/** Docker's embedded DNS server, reachable from every container on a user-defined network. */
export const DOCKER_EMBEDDED_DNS = '127.0.0.11';

/** Seconds nginx gives open connections to finish after a graceful stop (SIGQUIT, the image's STOPSIGNAL). */
export const NGINX_WORKER_SHUTDOWN_SECONDS = 10;

/** Path nginx answers itself, for its container healthcheck. */
export const NGINX_HEALTH_PATH = '/nginx-health';
export const NGINX_DEFAULT_LISTEN_PORT = 8080;

const ROUTE_PREFIX = /^\/[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/;
const SERVER = /^[a-z0-9][a-z0-9.-]*:\d{1,5}$/;
const SIZE = /^\d+[km]?$/;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;

/** Where the renderer's faults are reported. */
const WHERE = 'renderNginxConfig';

function validate(options: NginxConfigOptions): void {
  if (options.routes.length === 0) throw new ValidationError(WHERE, 'routes must list at least one service');
  const prefixes = new Set<string>();
  for (const route of options.routes) {
    if (!SERVICE_NAME_PATTERN.test(route.service)) {
      throw new ValidationError(WHERE, `route service must be lower-case letters, digits and "-" (got "${route.service}")`);
    }
    if (!ROUTE_PREFIX.test(route.routePrefix)) {
      throw new ValidationError(WHERE, `routePrefix "${route.routePrefix}" of "${route.service}" must look like "/users": a leading "/", lower-case segments, no trailing "/"`);
    }
    if (route.routePrefix === NGINX_HEALTH_PATH || prefixes.has(route.routePrefix)) {
      throw new ValidationError(WHERE, `routePrefix "${route.routePrefix}" of "${route.service}" is already taken`);
    }
    prefixes.add(route.routePrefix);
    if (route.servers.length === 0 || route.servers.some((s) => !SERVER.test(s))) {
      throw new ValidationError(WHERE, `upstream "${route.service}" needs at least one "host:port" server (got ${JSON.stringify(route.servers)})`);
    }
  }
  if (options.resolver !== undefined && options.resolver !== false && !IPV4.test(options.resolver)) {
    throw new ValidationError(WHERE, `resolver must be an IPv4 address such as "${DOCKER_EMBEDDED_DNS}", or false (got "${options.resolver}")`);
  }
  const port = options.listenPort ?? NGINX_DEFAULT_LISTEN_PORT;
  requireWholeNumber(WHERE, 'listenPort', port, { min: 1, max: 65535 });
  if (options.clientMaxBodySize !== undefined && !SIZE.test(options.clientMaxBodySize)) {
    throw new ValidationError(WHERE, `clientMaxBodySize must be a size such as "1m" or "512k" (got "${options.clientMaxBodySize}")`);
  }
  for (const [name, value] of [['ratePerSecond', options.ratePerSecond], ['burst', options.burst]] as const) {
    if (value !== undefined) requireWholeNumber(WHERE, name, value, { min: 1 });
  }
}

/** A JSON error body in the services' `{ statusCode, error, message }` shape. */
function jsonError(status: number, error: string, message: string): string {
  return `'${JSON.stringify({ statusCode: status, error, message })}'`;
}

/**
 * nginx.conf for the platform's entry point: one upstream per service listing every
 * replica, an exact and a prefix location per route, a JSON access log carrying the
 * request id, which is taken from a sane `X-Request-ID` or generated, passed upstream and
 * returned. Security headers, a body size limit and a per-client rate limit apply to all.
 */
export function renderNginxConfig(options: NginxConfigOptions): string {
  validate(options);
  const listenPort = options.listenPort ?? NGINX_DEFAULT_LISTEN_PORT;
  const headerVar = `$http_${REQUEST_ID_HEADER.replace(/-/g, '_')}`;

  const resolver = options.resolver ?? DOCKER_EMBEDDED_DNS;
  const upstreams = options.routes.flatMap((route) => [
    `  upstream ${route.service} {`,
    // `resolve` needs the upstream's state in shared memory.
    ...(resolver ? [`    zone ${route.service} 64k;`] : []),
    ...route.servers.map((server) => `    server ${server} max_fails=3 fail_timeout=10s${resolver ? ' resolve' : ''};`),
    '    keepalive 16;',
    '  }',
    '',
  ]);
  const locations = options.routes.flatMap((route) => [
    `    location = ${route.routePrefix} {`,
    `      proxy_pass http://${route.service};`,
    '    }',
    `    location ${route.routePrefix}/ {`,
    `      proxy_pass http://${route.service};`,
    '    }',
    '',
  ]);

  return [
    '# Generated by the platform stack (constructs/nginx-config.ts) from the service catalog.',
    'worker_processes auto;',
    `error_log ${NGINX_ERROR_LOG_PATH} warn;`,
    '',
    // A graceful stop (SIGQUIT) closes idle keep-alive connections at once and waits this long for busy ones.
    `worker_shutdown_timeout ${NGINX_WORKER_SHUTDOWN_SECONDS}s;`,
    '',
    'events {',
    '  worker_connections 1024;',
    '}',
    '',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/json;',
    '  server_tokens off;',
    '  sendfile on;',
    '  keepalive_timeout 65s;',
    `  client_max_body_size ${options.clientMaxBodySize ?? '1m'};`,
    '',
    '  # The caller\'s request id when it is sane (the services accept the same shape), else a new one.',
    `  map ${headerVar} $platform_request_id {`,
    `    "~${SANE_REQUEST_ID_PATTERN.source}" ${headerVar};`,
    '    default $request_id;',
    '  }',
    '',
    '  # The access-log line the Logstash pipeline parses (pipelines/nginx), one JSON object per line.',
    `  ${nginxAccessLogFormat({ name: 'platform_json', requestIdVariable: '$platform_request_id' })}`,
    `  access_log ${NGINX_ACCESS_LOG_PATH} platform_json;`,
    '',
    ...(resolver
      ? [
          '  # Upstream names are looked up again as Docker answers them, so a replaced replica is found',
          '  # without an nginx restart. No IPv6: the platform network is IPv4 only.',
          `  resolver ${resolver} valid=10s ipv6=off;`,
          '  resolver_timeout 2s;',
          '',
        ]
      : []),
    `  limit_req_zone $binary_remote_addr zone=per_client:10m rate=${options.ratePerSecond ?? 20}r/s;`,
    '  limit_req_status 429;',
    '  limit_req_log_level warn;',
    '',
    ...upstreams,
    '  server {',
    `    listen ${listenPort};`,
    '    server_name _;',
    '',
    `    limit_req zone=per_client burst=${options.burst ?? 40} nodelay;`,
    '',
    '    # Security headers on every response, errors included. No location adds headers of',
    '    # its own: that would stop these from being inherited.',
    '    add_header X-Content-Type-Options "nosniff" always;',
    '    add_header X-Frame-Options "DENY" always;',
    '    add_header Referrer-Policy "no-referrer" always;',
    `    add_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'" always;`,
    '    add_header Cross-Origin-Resource-Policy "same-origin" always;',
    `    add_header X-Request-ID $platform_request_id always;`,
    '',
    '    proxy_http_version 1.1;',
    '    proxy_set_header Connection "";',
    '    proxy_set_header Host $host;',
    '    proxy_set_header X-Real-IP $remote_addr;',
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    proxy_set_header X-Forwarded-Proto $scheme;',
    '    proxy_set_header X-Request-ID $platform_request_id;',
    '    # The services echo the id; nginx sets it once itself.',
    '    proxy_hide_header X-Request-ID;',
    '    proxy_connect_timeout 5s;',
    '    proxy_read_timeout 30s;',
    '',
    ...locations,
    `    location = ${NGINX_HEALTH_PATH} {`,
    '      access_log off;',
    '      return 200 \'{"status":"ok"}\';',
    '    }',
    '',
    '    location / {',
    `      return 404 ${jsonError(404, 'Not Found', 'no service is routed at this path')};`,
    '    }',
    '',
    '    error_page 413 @too_large;',
    '    error_page 429 @rate_limited;',
    '    error_page 502 503 504 =503 @unavailable;',
    '    location @too_large {',
    `      return 413 ${jsonError(413, 'Payload Too Large', 'request body exceeds the limit')};`,
    '    }',
    '    location @rate_limited {',
    `      return 429 ${jsonError(429, 'Too Many Requests', 'rate limit exceeded, retry later')};`,
    '    }',
    '    location @unavailable {',
    `      return 503 ${jsonError(503, 'Service Unavailable', 'upstream service unavailable')};`,
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}
