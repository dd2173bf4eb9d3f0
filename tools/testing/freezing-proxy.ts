import { connect, type Socket } from 'node:net';
import { LocalProxy } from './local-proxy.js';

/** One direction of a proxied connection: what `from` sends goes to `to`. */
interface Flow {
  readonly from: Socket;
  readonly to: Socket;
  /** Bytes that arrived while frozen, delivered in order on resume. */
  readonly held: Buffer[];
  /** `from` hung up (FIN, reset or close) while frozen: `to` is ended after the held bytes. */
  ended: boolean;
}

/**
 * A TCP forwarder on 127.0.0.1 whose dependency can be frozen like a SIGSTOPped server:
 * - `freeze()`: no byte moves either way, every socket stays open, new connections are accepted
 *   and held too;
 * - `freezeOnClientBytes(text)`: freezes just before forwarding the first client chunk that holds
 *   `text` (e.g. `COMMIT`), so that chunk is caught in flight;
 * - `resume()`: delivers everything held, in order, then passes on the hang-ups that came
 *   meanwhile. A client that gave up and closed still has its last statements run, as a
 *   stopped server's kernel would have them queued (what FaultProxy's `hold` drops).
 * Its listener and target are LocalProxy's (local-proxy.ts), shared with tcp-proxy.ts's FaultProxy.
 */
export class FreezingProxy extends LocalProxy {
  private readonly flows = new Set<Flow>();
  private frozen = false;
  private freezeTrigger: string | undefined;

  private constructor(target: string) {
    super('FreezingProxy', target);
  }

  /** Starts a proxy to `target` (`host:port`) on a free port of 127.0.0.1. */
  static async start(target: string): Promise<FreezingProxy> {
    const proxy = new FreezingProxy(target);
    await proxy.listen({ allowHalfOpen: true });
    return proxy;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  freeze(): void {
    this.frozen = true;
  }

  freezeOnClientBytes(text: string): void {
    this.freezeTrigger = text;
  }

  resume(): void {
    this.frozen = false;
    this.freezeTrigger = undefined;
    for (const flow of this.flows) {
      for (const chunk of flow.held.splice(0)) flow.to.write(chunk);
      if (flow.ended) this.hangUp(flow);
    }
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const flow of this.flows) {
      flow.from.destroy();
      flow.to.destroy();
    }
    this.flows.clear();
    await this.stopListening();
  }

  protected accept(client: Socket): void {
    const upstream = connect({ port: this.targetPort, host: this.targetHost, allowHalfOpen: true });
    const toUpstream: Flow = { from: client, to: upstream, held: [], ended: false };
    const toClient: Flow = { from: upstream, to: client, held: [], ended: false };
    this.flows.add(toUpstream).add(toClient);
    this.carry(toUpstream, true);
    this.carry(toClient, false);
  }

  private carry(flow: Flow, fromClient: boolean): void {
    flow.from.on('data', (chunk: Buffer) => {
      if (fromClient && this.freezeTrigger !== undefined && chunk.includes(this.freezeTrigger)) this.frozen = true;
      if (this.frozen) flow.held.push(chunk);
      else flow.to.write(chunk);
    });
    const hungUp = () => {
      if (flow.ended) return;
      flow.ended = true;
      if (!this.frozen) this.hangUp(flow);
    };
    flow.from.on('end', hungUp).on('close', hungUp).on('error', hungUp);
  }

  /** Passes a hang-up on: half-close the other side; once both directions ended, forget the pair. */
  private hangUp(flow: Flow): void {
    this.flows.delete(flow);
    if (!flow.to.destroyed) flow.to.end();
    if (flow.from.destroyed && flow.to.destroyed) return;
    // A side whose peer is fully gone cannot be written to any more: close it once it has flushed.
    flow.to.once('finish', () => {
      if (flow.from.destroyed) flow.to.destroy();
    });
  }
}
