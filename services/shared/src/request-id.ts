import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { REQUEST_ID_HEADER, SANE_REQUEST_ID_PATTERN } from '@platform/contract';

/** Whether a caller-supplied request id may be trusted into logs and responses. */
export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE_REQUEST_ID_PATTERN.test(value);
}

/** The caller's `x-request-id` when sane, else a new UUID (Fastify's `genReqId`). */
export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const supplied = request.headers[REQUEST_ID_HEADER];
  return isSaneRequestId(supplied) ? supplied : randomUUID();
}
