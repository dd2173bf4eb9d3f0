/**
 * Private TLS servers for tests: a throwaway PKI made with openssl, and a
 * redis-server or Postgres of this machine started on a free port with given
 * settings, so clients can be proven to verify (or refuse) a certificate.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { createRedisClient } from '@platform/service-kit';

/** Files of a test PKI: a CA, a server certificate it signed (SANs localhost, 127.0.0.1), and an unrelated CA. */
export interface TestPki {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** A CA that signed nothing here: verifying against it must fail. */
  readonly otherCaFile: string;
}

function openssl(cwd: string, ...args: string[]): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

function makeCa(dir: string, name: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
}

/** Creates the PKI in `dir` (P-256 keys: quick to make). */
export function createTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(
    join(dir, 'server.ext'),
    ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1', ''].join('\n'),
  );
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), otherCaFile: join(dir, 'other-ca.crt') };
}

/** A TCP port nothing listens on right now: the harness's one free-port helper. */
export { freePort } from '../../tools/testing/processes.js';

async function waitFor(what: string, ready: () => boolean, server: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (ready()) return;
    if (server.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server.kill('SIGKILL');
  throw new Error(`${what} did not start:\n${log()}`);
}

/** A started server; `stop()` ends it and waits for it to exit. */
export interface TestServer {
  readonly port: number;
  stop(): Promise<void>;
}

function stopper(server: ChildProcess, signal: NodeJS.Signals): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (server.exitCode !== null || server.signalCode !== null) return resolve();
      server.once('exit', () => resolve());
      server.kill(signal);
    });
}

/**
 * Starts `redis-server configFile` and waits until it answers PING over TLS
 * (verified with `caFile`) as `pingArgs` (e.g. an ACL user), or NOAUTH.
 */
export async function startRedisServer(configFile: string, port: number, caFile: string, extraArgs: string[] = []): Promise<TestServer> {
  let output = '';
  const server = spawn('redis-server', [configFile, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ping = () => spawnSync('redis-cli', ['--tls', '--cacert', caFile, '-p', String(port), 'ping'], { encoding: 'utf8' }).stdout;
  await waitFor('redis-server', () => /NOAUTH|PONG/.test(ping()), server, () => output);
  return { port, stop: stopper(server, 'SIGTERM') };
}

/** The directory of `initdb` and `postgres`: on PATH, or the newest Debian/Ubuntu cluster install. */
export function postgresBinDir(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return join(onPath, '..');
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('Postgres server binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin; install postgresql');
  return join(root, newest, 'bin');
}

/** uid/gid Postgres runs as: it refuses root, so as root the tests use the `postgres` account. */
export function postgresRunAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, but there is no "postgres" account to run a private Postgres as');
  return { uid, gid };
}

/** Gives `path` to the account Postgres runs as (when that is not the current one). */
export function giveToPostgres(path: string): void {
  const runAs = postgresRunAs();
  if (runAs) chownSync(path, runAs.uid, runAs.gid);
}

/**
 * Initialises a cluster in `dir/data` and starts `postgres` on 127.0.0.1:`port` with the
 * server arguments `args` (e.g. `-c ssl=on ...`); resolves once it accepts connections.
 * `dir` must be usable by the Postgres account (see `giveToPostgres`).
 */
export async function startPostgresServer(dir: string, port: number, args: readonly string[]): Promise<TestServer> {
  const bin = postgresBinDir();
  const runAs = postgresRunAs() ?? {};
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-N', '-E', 'UTF8', '--locale=C'], { ...runAs, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  let output = '';
  const server = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', ...args],
    { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = () => spawnSync('pg_isready', ['-q', '-h', dir, '-p', String(port)]).status === 0;
  await waitFor('postgres', ready, server, () => output);
  // SIGINT: fast shutdown (disconnect clients, no waiting for them).
  return { port, stop: stopper(server, 'SIGINT') };
}

/**
 * 'PONG' from the service kit's Redis client connecting to `url` with `tlsCaFile`, or the
 * client's first connection error (it keeps retrying in the background, so the first one tells).
 */
export async function kitRedisPing(url: string, tlsCaFile: string | undefined, keyPrefix = ''): Promise<string> {
  const client = createRedisClient(url, pino({ level: 'silent' }), keyPrefix, { tlsCaFile });
  try {
    const outcome = await new Promise<string>((resolve) => {
      client.once('ready', () => resolve('ready'));
      client.once('error', (err: Error) => resolve(err.message));
    });
    return outcome === 'ready' ? await client.ping() : outcome;
  } finally {
    client.disconnect();
  }
}
