import { once } from 'node:events';
import { createServer, type Server, type ServerOpts, type Socket } from 'node:net';

/** `host:port` as a test proxy's target; `owner` names the proxy in the error. */
export function parseTarget(owner: string, target: string): { host: string; port: number } {
  const [host, portText] = target.split(':');
  const port = Number(portText);
  if (!host || !Number.isInteger(port)) throw new Error(`${owner} target must be "host:port", got "${target}"`);
  return { host, port };
}

/**
 * A TCP listener on a free port of 127.0.0.1 for the test proxies: `port` is where services
 * connect, `urlFor` points a postgres:// or redis:// URL at it, `close` stops listening.
 */
export class LocalListener {
  private constructor(
    private server: Server | undefined,
    private readonly owner: string,
  ) {}

  static async start(owner: string, accept: (client: Socket) => void, options: ServerOpts = {}): Promise<LocalListener> {
    const server = createServer(options, accept);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new LocalListener(server, owner);
  }

  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error(`${this.owner} is not listening`);
    return address.port;
  }

  urlFor(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
