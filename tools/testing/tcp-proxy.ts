import { connect, type Socket } from 'node:net';
import { LocalProxy } from './local-proxy.js';

/**
 * How a FaultProxy takes its dependency away:
 * - `reset`: open and new connections are reset (a crashed or restarting server);
 * - `blackhole`: connections stay open but no byte is carried (a dead host or a partitioned
 *   network; only the client's own timeouts help); `restore()` then resets them;
 * - `hold`: like blackhole, but `restore()` delivers everything held back (a stall, e.g. a
 *   slow dependency), so requests caught in it complete afterwards.
 */
export type OutageMode = 'reset' | 'blackhole' | 'hold';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Bytes held back during a `hold`, per direction, delivered in order by restore(). */
  readonly heldFromClient: Buffer[];
  readonly heldFromUpstream: Buffer[];
}

/**
 * A TCP forwarder on 127.0.0.1 that a test points a service at instead of Postgres, Redis
 * or another service, so the test can take the dependency away and give it back while the
 * service runs. The listening port stays the same throughout: the service needs no restart.
 */
export class FaultProxy extends LocalProxy {
  private readonly pairs = new Set<Pair>();
  private outage: OutageMode | undefined;
  private accepted = 0;

  private constructor(target: string) {
    super('FaultProxy', target);
  }

  /** Starts a proxy to `target` (`host:port`) on a free port of 127.0.0.1. */
  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await proxy.listen();
    return proxy;
  }

  /** Whether bytes are currently carried. */
  get isUp(): boolean {
    return this.outage === undefined;
  }

  /** Connections accepted since start (including ones reset at once). */
  get acceptedConnections(): number {
    return this.accepted;
  }

  /** What clients sent during the current `hold` (latin1), e.g. to count the requests caught in it. */
  get heldFromClients(): string {
    return [...this.pairs].map((pair) => Buffer.concat(pair.heldFromClient).toString('latin1')).join('');
  }

  /** Takes the dependency away (see OutageMode). */
  cut(mode: OutageMode = 'reset'): void {
    this.outage = mode;
    if (mode === 'reset') for (const pair of this.pairs) this.drop(pair);
  }

  /** Gives the dependency back: after `hold` by delivering what was held, otherwise by resetting the stale connections. */
  restore(): void {
    const held = this.outage === 'hold';
    this.outage = undefined;
    for (const pair of this.pairs) {
      if (held) {
        for (const chunk of pair.heldFromClient.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.heldFromUpstream.splice(0)) pair.client.write(chunk);
      } else this.drop(pair);
    }
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.cut('reset');
    await this.stopListening();
  }

  private drop(pair: Pair): void {
    this.pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
  }

  protected accept(client: Socket): void {
    this.accepted += 1;
    if (this.outage === 'reset') {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    const pair: Pair = { client, upstream, heldFromClient: [], heldFromUpstream: [] };
    this.pairs.add(pair);
    const teardown = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    // Forwarded by hand (no pipe) so an outage can hold or swallow bytes in flight.
    client.on('data', (chunk: Buffer) => this.carry(chunk, upstream, pair.heldFromClient));
    upstream.on('data', (chunk: Buffer) => this.carry(chunk, client, pair.heldFromUpstream));
  }

  private carry(chunk: Buffer, to: Socket, held: Buffer[]): void {
    if (this.outage === undefined) to.write(chunk);
    else if (this.outage === 'hold') held.push(chunk);
    // blackhole: the bytes are lost, as on a dead link
  }
}
