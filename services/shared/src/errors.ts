import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
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
