import { request } from 'node:http';
import { connect } from 'node:net';
import { eventually } from './eventually.js';

/** Headers of a request with a JSON body. */
export const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface HttpCall {
  readonly method: string;
  /** Path and query, sent as given (already encoded). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Give up after this long (default 10 s); a timeout rejects, so a hang fails the test. */
  readonly timeoutMs?: number;
}

/**
 * One HTTP/1.1 request on a fresh connection, with nothing normalised: any method, path,
 * header and body the caller chooses (as long as Node's client can put it on the wire).
 */
export function send(baseUrl: string, call: HttpCall): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  // Node sends bodies of GET/DELETE/OPTIONS without a length; say it, or the server reads the body as the next request.
  const length = call.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(call.body)) };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: call.method,
        path: call.path,
        headers: { connection: 'close', ...length, ...call.headers },
        agent: false,
        timeout: call.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${call.method} ${call.path} got no answer within ${call.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(call.body);
  });
}

/** Sends `bytes` as-is on a new TCP connection and resolves with whatever comes back before the server closes (or `timeoutMs`). */
export function sendRaw(baseUrl: string, bytes: Buffer, timeoutMs = 5000): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after a bad request is an acceptable answer; anything else is not.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('connect', () => socket.end(bytes));
  });
}

/** The contract's error body `{ statusCode, error, message }`, or a description of what is wrong with `answer`. */
export function contractErrorProblem(answer: HttpAnswer): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `status ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`;
  }
  if (typeof body !== 'object' || body === null) return `status ${answer.status} with a non-object body: ${answer.text.slice(0, 200)}`;
  const { statusCode, error, message } = body as Record<string, unknown>;
  if (statusCode !== answer.status) return `statusCode ${String(statusCode)} in the body but ${answer.status} on the wire`;
  if (typeof error !== 'string' || error.length === 0) return `"error" is not a non-empty string: ${answer.text.slice(0, 200)}`;
  if (typeof message !== 'string') return `"message" is not a string: ${answer.text.slice(0, 200)}`;
  return undefined;
}

/** A JSON request through fetch; returns status, headers and the parsed body (the text when it is not JSON). */
export async function requestJson(
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (e.g. /metrics): keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

/** Waits until `url` answers 200 (the service is up); throws after `timeoutMs`. */
export async function waitForOk(url: string, timeoutMs = 10_000): Promise<void> {
  const ok = await eventually(async () => (await fetch(url)).ok, timeoutMs);
  if (!ok) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}
