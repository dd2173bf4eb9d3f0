import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { dockerEndpoint, dockerGet, remoteDockerHost } from '../docker-api.js';
import { fail, pass, skip, type CheckContext, type CheckResult } from '../types.js';
import { namePrefixOf } from '../../../stacks/config/index.js';

/** Tries to listen on address:port; resolves to the error code when that fails. */
export function tryBind(address: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

interface ContainerSummary {
  readonly Names?: readonly string[];
  readonly Ports?: readonly { readonly PublicPort?: number }[];
}

/** Name of this environment's own running container publishing `port`, if any (a redeploy keeps it). */
async function ownContainerOnPort(context: CheckContext, port: number): Promise<string | undefined> {
  const prefix = `/${namePrefixOf(context.config)}-`;
  try {
    const res = await dockerGet(dockerEndpoint(context.host.env, context.host.homeDir), '/containers/json', context.host.timeoutMs);
    if (res.status !== 200) return undefined;
    const containers = JSON.parse(res.body) as ContainerSummary[];
    const owner = containers.find(
      (c) => c.Names?.some((n) => n.startsWith(prefix)) && c.Ports?.some((p) => p.PublicPort === port),
    );
    return owner?.Names?.[0]?.slice(1);
  } catch {
    return undefined;
  }
}

/** The `Name` the daemon reports in GET /info: the host name of the machine Docker runs on. */
async function daemonHostName(context: CheckContext): Promise<string | undefined> {
  try {
    const res = await dockerGet(dockerEndpoint(context.host.env, context.host.homeDir), '/info', context.host.timeoutMs);
    const name = res.status === 200 ? (JSON.parse(res.body) as { Name?: unknown }).Name : undefined;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Every published port (config.ports on config.bindAddress) is free, or already held by this environment. */
export async function checkPorts(context: CheckContext): Promise<CheckResult[]> {
  const { config } = context;
  const remote = remoteDockerHost(dockerEndpoint(context.host.env, context.host.homeDir));
  if (remote) {
    const ports = Object.entries(config.ports).map(([setting, port]) => `${port} (ports.${setting})`).join(', ');
    // Probing would test this machine's ports, not the Docker host's: no pass that means nothing.
    return [skip('Published ports', `not checked: Docker runs on ${remote} and preflight can only probe this machine's ports; ports ${ports} must be free on ${config.bindAddress} there`)];
  }
  const results: CheckResult[] = [];
  let daemonHost: Promise<string | undefined> | undefined;
  for (const [setting, port] of Object.entries(config.ports)) {
    const name = `Port ${config.bindAddress}:${port} (ports.${setting})`;
    const error = await tryBind(config.bindAddress, port);
    if (error === undefined) {
      results.push(pass(name, 'free'));
      continue;
    }
    if (error === 'EADDRINUSE') {
      const owner = await ownContainerOnPort(context, port);
      if (owner) {
        results.push(pass(name, `held by this environment's container ${owner} (a redeploy keeps it)`));
        continue;
      }
      results.push(
        fail(name, `already in use by another program`, [
          `find it: sudo ss -ltnp 'sport = :${port}'   (or: docker ps --filter publish=${port})`,
          `stop it, or publish on another port: set ports.${setting} for "${config.environment}" in stacks/config/environments.ts`,
        ]),
      );
      continue;
    }
    if (error === 'EADDRNOTAVAIL') {
      // A unix socket forwarded over SSH reaches a daemon on another machine, which has this address.
      const dockerHost = await (daemonHost ??= daemonHostName(context));
      if (dockerHost !== undefined && dockerHost.toLowerCase() !== hostname().toLowerCase()) {
        results.push(skip(name, `not checked: bindAddress ${config.bindAddress} is not an address of this machine, and Docker runs on "${dockerHost}" (a forwarded socket or a VM), whose ports preflight cannot probe`));
        continue;
      }
      results.push(
        fail(name, `bindAddress ${config.bindAddress} is not an address of this machine`, [
          `set bindAddress for "${config.environment}" in stacks/config/environments.ts to one of this host's addresses (\`ip -br addr\`), usually 127.0.0.1`,
        ]),
      );
      continue;
    }
    results.push(fail(name, `cannot listen on it (${error})`, [`check \`sudo ss -ltnp 'sport = :${port}'\` and local firewall rules`]));
  }
  return results;
}
