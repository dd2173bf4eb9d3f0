/**
 * Stand-ins for an OTLP/HTTP trace receiver (APM Server, a collector) on 127.0.0.1, for the
 * tracing tests and the bench:
 * - OtlpReceiver: answers every `POST /v1/traces` with 200 and keeps the spans of OTLP/JSON
 *   requests (OTEL_EXPORTER_OTLP_PROTOCOL=http/json), flattened; protobuf bodies are counted,
 *   not decoded (the bench only needs a receiver that answers);
 * - SilentReceiver: accepts connections and never answers (a hung receiver).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { LocalServer } from './local-proxy.js';

/** OTLP span kinds as numbers in OTLP/JSON. */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

export interface ReceivedSpan {
  readonly serviceName: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpJsonRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpAttribute[] }>;
    }>;
  }>;
}

const attributeMap = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue]));

export class OtlpReceiver {
  /** Every span received over OTLP/JSON, in arrival order. */
  readonly spans: ReceivedSpan[] = [];
  /** Export requests answered (JSON and protobuf alike). */
  requests = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => receiver.receive(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  /** OTEL_EXPORTER_OTLP_ENDPOINT for it (the exporters append `/v1/traces`). */
  get endpoint(): string {
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('OTLP receiver is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  private receive(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests += 1;
      const json = String(request.headers['content-type'] ?? '').startsWith('application/json');
      if (request.method === 'POST' && request.url === '/v1/traces' && json) this.collect(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJsonRequest);
      // An empty ExportTraceServiceResponse in either encoding: full success.
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      response.end(json ? '{}' : '');
    });
  }

  private collect(body: OtlpJsonRequest): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const serviceName = String(attributeMap(resourceSpans.resource?.attributes)['service.name']);
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            serviceName,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind,
            attributes: attributeMap(span.attributes),
          });
        }
      }
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A receiver that accepts every connection and never answers: an exporter's request to it hangs. */
export class SilentReceiver extends LocalServer {
  private readonly sockets = new Set<Socket>();
  /** Connections accepted so far (the exporter tried to send). */
  connections = 0;

  private constructor() {
    super('silent OTLP receiver');
  }

  static async start(): Promise<SilentReceiver> {
    const receiver = new SilentReceiver();
    await receiver.listen();
    return receiver;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected accept(socket: Socket): void {
    this.connections += 1;
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    socket.resume(); // read and drop whatever is sent, answer nothing
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await this.stopListening();
  }
}
