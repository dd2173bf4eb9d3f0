import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { REQUEST_ID_HEADER } from '@platform/contract';
import { isPostgresUnavailable } from './postgres.js';
import { recordEvent } from './request-logging.js';

/** An error that is meant for the client: its status code and message are sent as they are. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** JSON schema of every error body: `{ statusCode, error, message }`. */
export const errorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

/** Schema reference for route `response` maps, e.g. `{ 404: errorRef }`. */
export const errorRef = { $ref: 'ErrorResponse#' } as const;

export function errorBody(statusCode: number, message: string) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/**
 * Errors become `{ statusCode, error, message }`. Client errors (validation, bad JSON,
 * HttpError) keep their message; Postgres being unreachable is a 503; anything else is a 500
 * whose details stay in the log.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.addSchema(errorResponseSchema);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isPostgresUnavailable(error)) {
      request.log.error({ err: error, 'http.response.status_code': 503 }, 'postgres is not answering');
      return reply.code(503).send(errorBody(503, 'postgres is not answering'));
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error, 'http.response.status_code': status }, 'request failed');
      const message = error instanceof HttpError ? error.message : 'Internal Server Error';
      return reply.code(status).send(errorBody(status, message));
    }
    // On the request's one completion line (at most one info line per request).
    recordEvent(request, { 'error.message': error.message });
    return reply.code(status).send(errorBody(status, error.message));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    return reply.code(404).send(errorBody(404, `Route ${request.method} ${path} not found`));
  });
}

/** What the contract says for errors Node or the router raise before any hook runs. */
const PRE_ROUTING_MESSAGES: Readonly<Record<string, [number, string]>> = {
  FST_ERR_BAD_URL: [400, 'the URL is not validly percent-encoded'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'a path segment is too long'],
  HPE_HEADER_OVERFLOW: [431, 'the request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request was not received in time'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'the request was not received in time'],
};

/**
 * Fastify options that answer errors raised before routing (malformed HTTP, bad URL encoding,
 * over-long path segments, oversized headers, slow clients) in the contract's body, with a
 * correct reason phrase and an `x-request-id`, instead of Fastify's defaults.
 */
export function installPreRoutingErrors(logger: Logger): Pick<FastifyServerOptions, 'clientErrorHandler' | 'frameworkErrors'> {
  return {
    frameworkErrors: (error, request, reply) => {
      const [status, message] = PRE_ROUTING_MESSAGES[error.code] ?? [400, 'the request is malformed'];
      request.log.info({ 'http.response.status_code': status, 'error.code': error.code }, 'request rejected before routing');
      void (reply as unknown as FastifyReply).code(status).header(REQUEST_ID_HEADER, request.id).send(errorBody(status, message));
    },
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
      const [status, message] = PRE_ROUTING_MESSAGES[error.code ?? ''] ?? [400, 'the request is not valid HTTP'];
      const requestId = randomUUID();
      logger.info({ 'http.request.id': requestId, 'http.response.status_code': status, 'error.code': error.code }, 'malformed request refused');
      const body = JSON.stringify(errorBody(status, message));
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  };
}
