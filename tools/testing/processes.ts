import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { HEALTH_PATH } from '@platform/contract';

/** A Node.js server running in its own child process, reachable on 127.0.0.1. */
export interface ServerProcess {
  readonly name: string;
  readonly baseUrl: string;
  readonly child: ChildProcess;
  /** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs`. Resolves to the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

export interface StartServerOptions {
  /** Label used in error messages. */
  readonly name: string;
  /** The script to run with `node` (a built `dist/main.js`, or a `.ts` file: children always load tsx). */
  readonly script: string;
  /** Working directory of the child (default: the current one). */
  readonly cwd?: string;
  /** Environment of the child, on top of PATH/HOME/NODE_ENV. `PORT` and `HOST` are set by this function. */
  readonly env: Readonly<Record<string, string>>;
  /** Extra Node.js flags, e.g. `--cpu-prof` (default: none). */
  readonly nodeArgs?: readonly string[];
  /** Path polled until it answers 200 (default HEALTH_PATH, `/healthz`). */
  readonly readyPath?: string;
  /** How long to wait for readiness before giving up (default 30 s). */
  readonly startTimeoutMs?: number;
}

/** Node flags every child gets, so baseline and services run with identical process settings. */
export const CHILD_NODE_ARGS: readonly string[] = ['--import', 'tsx'];

/** Finds a free TCP port on 127.0.0.1 (bind to port 0, read it, release it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not determine a free port');
  return address.port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `script` in a child Node.js process listening on a free port on 127.0.0.1 and
 * resolves once `readyPath` answers 200. Rejects with the child's stderr if it exits first.
 * stdout goes to /dev/null: the services still format and write every log line, as in a
 * container whose stdout is collected, without this process paying for reading it.
 */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...CHILD_NODE_ARGS, ...(options.nodeArgs ?? []), options.script], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      ...options.env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = once(child, 'exit');

  const stop = async (graceMs = 10_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const [code] = (await exited) as [number | null];
    clearTimeout(timer);
    return code;
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  const readyUrl = `${baseUrl}${options.readyPath ?? HEALTH_PATH}`;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.name} exited during start-up (code ${child.exitCode ?? child.signalCode}):\n${stderr}`);
    }
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return { name: options.name, baseUrl, child, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop(1000);
  throw new Error(`${options.name} did not answer 200 on ${readyUrl} within the start timeout:\n${stderr}`);
}
