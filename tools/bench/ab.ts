/**
 * Paired comparison of user-service builds or settings under wrk (a helper for explaining
 * `npm run bench` figures, not part of it): starts one user-service per variant on one scratch
 * database and Redis key prefix, plus the bare server, reads one hot user from each with
 * `wrk -t1 -c10` in rounds that take turns (the starting variant rotates), and prints per
 * variant the CPU per request of each round, and the medians of the per-round ratios against
 * the first variant (CPU efficiency and throughput). A ratio of two servers measured in the
 * same round moves less than either server's own figure.
 *
 * Usage: npm run build && tsx tools/bench/ab.ts
 *   AB_VARIANTS  JSON list of {"name", "env"?: {...}, "root"?: "<another checkout, built>"};
 *                default: logging on against logging off. An env value "" removes the variable.
 *   AB_ROUNDS (10), AB_SECONDS per round (2), AB_BARE=0 leaves out the bare server.
 * Needs wrk (Debian: apt-get install wrk).
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { serviceByName } from '@platform/contract';
import { cpuMillis } from './cpu.js';
import { median } from './report.js';
import { startServer, type ServerProcess } from '../testing/processes.js';
import { createScratchDatabase } from '../testing/databases.js';
import { createUser } from '../testing/stack.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const USER = serviceByName('user-service');
const LOG_DIR = path.join(ROOT, 'bench-results', 'ab-logs');

interface Variant {
  readonly name: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly root?: string;
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got "${process.env[name]}"`);
  return value;
}

function variantsFromEnv(): Variant[] {
  const raw = process.env.AB_VARIANTS ?? '[{"name":"logging on"},{"name":"logging off","env":{"LOG_LEVEL":"silent","LOG_FILE":""}}]';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`AB_VARIANTS is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((v) => typeof v === 'object' && v !== null && typeof v.name === 'string')) {
    throw new Error('AB_VARIANTS must be a non-empty JSON list of objects with a "name"');
  }
  return parsed as Variant[];
}

/** Requests wrk completed against `url` in `seconds`. */
async function drive(url: string, seconds: number): Promise<number> {
  const { stdout } = await run('wrk', ['-t1', '-c10', `-d${seconds}s`, url]).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' ? new Error('wrk is not installed (Debian: apt-get install wrk)') : error;
  });
  const completed = /(\d+) requests in/.exec(stdout);
  if (!completed) throw new Error(`unexpected wrk output:\n${stdout}`);
  return Number(completed[1]);
}

async function main(): Promise<void> {
  const rounds = positive('AB_ROUNDS', 10);
  const seconds = positive('AB_SECONDS', 2);
  const variants = variantsFromEnv();
  await rm(LOG_DIR, { recursive: true, force: true });
  await mkdir(LOG_DIR, { recursive: true });
  const db = await createScratchDatabase('ab_users');
  const servers: { name: string; server: ServerProcess }[] = [];
  try {
    const common = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `ab-${Date.now().toString(36)}:`, SERVICE_ENVIRONMENT: 'dev', DATABASE_URL: db.url };
    for (const [index, variant] of variants.entries()) {
      const entry = path.join(variant.root ?? ROOT, 'services', USER.name, 'dist', 'main.js');
      const merged: Record<string, string> = { ...common, LOG_LEVEL: 'info', LOG_FILE: path.join(LOG_DIR, `variant-${index}.log`), ...variant.env };
      const env = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== ''));
      servers.push({ name: variant.name, server: await startServer({ name: variant.name, script: entry, env, cwd: path.dirname(path.dirname(entry)) }) });
    }
    const first = servers[0]!.server;
    const userPath = `${USER.routePrefix}/${await createUser({ users: first }, { email: `ab-${Date.now()}@example.test`, name: 'AB User' })}`;
    if (process.env.AB_BARE !== '0') {
      const body = await (await fetch(`${first.baseUrl}${userPath}`)).text();
      servers.push({ name: 'bare', server: await startServer({ name: 'bare', script: path.join(ROOT, 'tools', 'bench', 'bare-server.ts'), cwd: ROOT, env: { BENCH_BARE_BODY: body } }) });
    }
    for (const { server } of servers) await drive(`${server.baseUrl}${userPath}`, 2); // warm-up, not measured
    const cpuPerRequest: number[][] = servers.map(() => []);
    const rates: number[][] = servers.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < servers.length; turn++) {
        const index = (turn + round) % servers.length;
        const { server } = servers[index]!;
        const before = await cpuMillis(server.child.pid);
        const requests = await drive(`${server.baseUrl}${userPath}`, seconds);
        const after = await cpuMillis(server.child.pid);
        if (before === undefined || after === undefined) throw new Error('CPU time needs /proc (Linux)');
        cpuPerRequest[index]!.push(((after - before) * 1000) / requests);
        rates[index]!.push(requests / seconds);
      }
    }
    for (const [index, { name }] of servers.entries()) {
      const efficiency = cpuPerRequest[index]!.map((us, round) => cpuPerRequest[0]![round]! / us);
      const throughput = rates[index]!.map((rate, round) => rate / rates[0]![round]!);
      console.log(
        `${name.padEnd(16)} CPU µs/request: median ${median(cpuPerRequest[index]!).toFixed(1)}, rounds ${cpuPerRequest[index]!.map((us) => us.toFixed(1)).join(' ')}` +
          ` | rps median ${median(rates[index]!).toFixed(0)} | against ${servers[0]!.name}: efficiency ${median(efficiency).toFixed(3)}, throughput ${median(throughput).toFixed(3)}`,
      );
    }
  } finally {
    for (const { server } of servers) await server.stop().catch(() => undefined);
    await db.drop().catch(() => undefined);
  }
}

await main();
