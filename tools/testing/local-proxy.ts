import { once } from 'node:events';
import { createServer, type Server, type ServerOpts, type Socket } from 'node:net';

/**
 * A TCP server on a free port of 127.0.0.1 for the test doubles (proxies, receivers): it hands
 * each client to the subclass's `accept`; `urlFor` points a postgres:// or redis:// URL at it.
 */
export abstract class LocalServer {
  private server: Server | undefined;

  /** `owner` names the server in errors. */
  protected constructor(private readonly owner: string) {}

  /** Called once per client connection. */
  protected abstract accept(client: Socket): void;

  /** Starts listening; the subclass's static `start` calls it once. */
  protected async listen(options: ServerOpts = {}): Promise<void> {
    const server = createServer(options, (client) => this.accept(client));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  /** The port services should connect to. */
  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error(`${this.owner} is not listening`);
    return address.port;
  }

  /** `url` (a postgres:// or redis:// URL) pointed at this proxy. */
  urlFor(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  /** Stops listening (the subclass drops its connections first). */
  protected async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * What the test proxies (FaultProxy, FreezingProxy) share on top of LocalServer: the target
 * they forward to. Subclasses add the fault modes.
 */
export abstract class LocalProxy extends LocalServer {
  protected readonly targetHost: string;
  protected readonly targetPort: number;

  /** `target` is `host:port`; `owner` names the proxy in errors. */
  protected constructor(owner: string, target: string) {
    super(owner);
    const [host, portText] = target.split(':');
    const port = Number(portText);
    if (!host || !Number.isInteger(port)) throw new Error(`${owner} target must be "host:port", got "${target}"`);
    this.targetHost = host;
    this.targetPort = port;
  }
}
