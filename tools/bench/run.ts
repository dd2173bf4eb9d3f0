/**
 * `npm run bench`: measures the services under load against the local Postgres and Redis.
 *
 * One run, one process setup: every server (the bare Fastify baseline and the services with
 * logging on and off) is a child process started with the same Node flags; autocannon drives
 * them from this process, one case at a time, each after a short warm-up.
 * Prints a table, writes bench-results/latest.json. Needs `npm run build` first (the services
 * run from their built `dist/`, as in production).
 *
 * The measured time of each case is split into BENCH_ROUNDS rounds, run round-robin over the
 * cases (case A round 1, case B round 1, ..., case A round 2, ...), so a change in the
 * machine's background load during the run weighs on every case alike instead of on
 * whichever case happened to run then.
 *
 * Settings (environment): BENCH_DURATION measured seconds per case (10), BENCH_ROUNDS (5),
 * BENCH_WARMUP seconds per case, once before its first round (3),
 * BENCH_CONNECTIONS (10), BENCH_REDIS_URL (redis://127.0.0.1:6379; the run's keys carry a
 * REDIS_KEY_PREFIX of their own), BENCH_PROFILE=1 to write V8 CPU profiles of the services
 * into bench-results/profiles/, BENCH_CASES=name,name to run only those cases (quick A/B
 * iterations; ratios whose cases did not run are left out), BENCH_BASELINE=<root of another
 * checkout, built> to also run that build's user-service (logging on and off) in the same
 * rounds: cases `get-user-cached-baseline`(`-nolog`), a before/after A/B within one run;
 * BENCH_NODE_ARGS="--flag ..." adds Node flags to every server (V8 tuning experiments).
 * The tracing cases (tracing 100% and at the default ratio, against a local OTLP receiver)
 * are set up in tracing-cases.ts.
 */
import autocannon from 'autocannon';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceByName } from '@platform/contract';
import { totalCpuMillis } from './cpu.js';
import { startServer, type ServerProcess } from '../testing/processes.js';
import { cpuRatio, formatTable, mergeRounds, ratio, type CaseResult, type MeasuredRound } from './report.js';
import { createScratchDatabase, type ScratchDatabase } from '../testing/databases.js';
import { FaultProxy } from '../testing/tcp-proxy.js';
import { startTracingBench, type TracingBench } from './tracing-cases.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_DIR = path.join(ROOT, 'bench-results');

function intSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const settings = {
  durationSeconds: intSetting('BENCH_DURATION', 10),
  warmupSeconds: intSetting('BENCH_WARMUP', 3),
  rounds: intSetting('BENCH_ROUNDS', 5),
  connections: intSetting('BENCH_CONNECTIONS', 10),
  pipelining: 1,
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  profile: process.env.BENCH_PROFILE === '1',
  cases: process.env.BENCH_CASES ? process.env.BENCH_CASES.split(',').map((name) => name.trim()) : undefined,
  baseline: process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : undefined,
  nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
};

const USER_SERVICE = serviceByName('user-service');
const ORDER_SERVICE = serviceByName('order-service');

function builtEntry(serviceName: string, root = ROOT): string {
  const entry = path.join(root, 'services', serviceName, 'dist', 'main.js');
  if (!existsSync(entry)) {
    throw new Error(`${path.relative(ROOT, entry)} is missing: run \`npm run build\` before \`npm run bench\``);
  }
  return entry;
}

interface BenchCase {
  readonly name: string;
  readonly description: string;
  readonly options: autocannon.Options;
  /** The server processes that do the work of this case; their CPU time is measured. */
  readonly servers: readonly ServerProcess[];
  /** Further URLs driven at the same time with the same options (replicas); connections are split evenly. */
  readonly alsoUrls?: readonly string[];
}

/** Runs autocannon once per URL of the case, in parallel, and adds the results up as one. */
async function drive(benchCase: BenchCase, duration: number): Promise<autocannon.Result> {
  const urls = benchCase.alsoUrls;
  if (!urls?.length) return autocannon({ ...autocannonBase(), ...benchCase.options, duration });
  const connections = Math.max(1, Math.floor(settings.connections / (urls.length + 1)));
  const all = await Promise.all(
    [benchCase.options.url, ...urls].map((url) => autocannon({ ...autocannonBase(), ...benchCase.options, url, connections, duration })),
  );
  const statusCodeStats: Record<string, { count: number }> = {};
  for (const r of all) {
    for (const [code, stats] of Object.entries(r.statusCodeStats ?? {})) statusCodeStats[code] = { count: (statusCodeStats[code]?.count ?? 0) + (stats?.count ?? 0) };
  }
  const sum = (pick: (r: autocannon.Result) => number) => all.reduce((total, r) => total + pick(r), 0);
  return {
    ...all[0]!,
    requests: { ...all[0]!.requests, total: sum((r) => r.requests.total) },
    duration: Math.max(...all.map((r) => r.duration)),
    // Percentiles of the parts cannot be combined exactly: the worse replica's stands for both.
    latency: { ...all[0]!.latency, p50: Math.max(...all.map((r) => r.latency.p50)), p99: Math.max(...all.map((r) => r.latency.p99)) },
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    statusCodeStats: statusCodeStats as autocannon.Result['statusCodeStats'],
  };
}

const autocannonBase = () => ({ connections: settings.connections, pipelining: settings.pipelining, timeout: 10 });

async function warmUp(benchCase: BenchCase): Promise<void> {
  await drive(benchCase, settings.warmupSeconds);
}

/** One measured round of a case: autocannon's result and the CPU its servers used meanwhile. */
async function measureRound(benchCase: BenchCase, seconds: number): Promise<MeasuredRound> {
  const pids = benchCase.servers.map((s) => s.child.pid);
  const cpuBefore = await totalCpuMillis(pids);
  const result = await drive(benchCase, seconds);
  const cpuAfter = await totalCpuMillis(pids);
  const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { result, cpuMs };
}

/** Warms every case up, then measures them in interleaved rounds. */
async function measureAll(cases: readonly BenchCase[]): Promise<CaseResult[]> {
  const seconds = Math.max(1, Math.round(settings.durationSeconds / settings.rounds));
  for (const benchCase of cases) {
    process.stdout.write(`  warm-up ${settings.warmupSeconds}s: ${benchCase.name}\n`);
    await warmUp(benchCase);
  }
  const rounds = new Map<string, MeasuredRound[]>(cases.map((c) => [c.name, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    process.stdout.write(`  round ${round}/${settings.rounds}: ${seconds}s per case\n`);
    for (const benchCase of cases) rounds.get(benchCase.name)!.push(await measureRound(benchCase, seconds));
  }
  return cases.map((c) => mergeRounds(c.name, c.description, rounds.get(c.name)!));
}

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status !== 201) throw new Error(`POST ${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function directorySize(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of await readdir(dir)) total += (await stat(path.join(dir, entry))).size;
  return total;
}

/** Counter shared by all connections so every POST /users carries a new email. */
function uniqueUserBodies(runId: string): autocannon.Request['setupRequest'] {
  let next = 0;
  return (request) => {
    next += 1;
    return { ...request, body: JSON.stringify({ email: `bench-${runId}-${next}@example.test`, name: `Bench User ${next}` }) };
  };
}

async function main(): Promise<void> {
  const userEntry = builtEntry(USER_SERVICE.name);
  const orderEntry = builtEntry(ORDER_SERVICE.name);
  const runId = Date.now().toString(36);
  const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
  const logDir = path.join(RESULTS_DIR, 'logs');
  const profileDir = path.join(RESULTS_DIR, 'profiles');
  await rm(logDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  const nodeArgs = [...(settings.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...settings.nodeArgs];

  const databases: ScratchDatabase[] = [];
  const servers: ServerProcess[] = [];
  const proxies: FaultProxy[] = [];
  let tracing: TracingBench | undefined;
  try {
    const usersDb = await createScratchDatabase(`bench_${USER_SERVICE.database}`);
    databases.push(usersDb);
    const ordersDb = await createScratchDatabase(`bench_${ORDER_SERVICE.database}`);
    databases.push(ordersDb);

    const start = async (name: string, script: string, env: Record<string, string>) => {
      const server = await startServer({ name, script, env, nodeArgs, cwd: path.dirname(path.dirname(script)) });
      servers.push(server);
      return server;
    };
    const common = { REDIS_URL: settings.redisUrl, REDIS_KEY_PREFIX: `bench-${runId}:`, SERVICE_ENVIRONMENT: 'dev' };
    const logged = (service: string) => ({ LOG_LEVEL: 'info', LOG_FILE: path.join(logDir, `${service}.log`) });
    const quiet = { LOG_LEVEL: 'silent' };

    process.stdout.write('starting services (logging on and off) ...\n');
    const users = await start(`${USER_SERVICE.name}`, userEntry, { ...common, ...logged(USER_SERVICE.name), DATABASE_URL: usersDb.url });
    const orders = await start(`${ORDER_SERVICE.name}`, orderEntry, {
      ...common,
      ...logged(ORDER_SERVICE.name),
      DATABASE_URL: ordersDb.url,
      USER_SERVICE_URL: users.baseUrl,
    });
    const usersQuiet = await start(`${USER_SERVICE.name} (logging off)`, userEntry, { ...common, ...quiet, DATABASE_URL: usersDb.url });
    const ordersQuiet = await start(`${ORDER_SERVICE.name} (logging off)`, orderEntry, {
      ...common,
      ...quiet,
      DATABASE_URL: ordersDb.url,
      USER_SERVICE_URL: usersQuiet.baseUrl,
    });

    // The cached-read subject: one user, read once so the cache holds it.
    const user = await postJson(`${users.baseUrl}${USER_SERVICE.routePrefix}`, { email: `bench-${runId}-reader@example.test`, name: 'Bench Reader' });
    const userPath = `${USER_SERVICE.routePrefix}/${String(user.id)}`;
    const warm = await fetch(`${users.baseUrl}${userPath}`);
    const cachedBody = await warm.text();
    if (warm.status !== 200) throw new Error(`GET ${userPath} answered ${warm.status}: ${cachedBody}`);

    // A second logged replica on the same database and Redis prefix (both keep a local tier
    // that Redis keeps coherent), and a logged replica whose Redis is frozen: a FaultProxy that
    // keeps its connections open and carries no byte, as a SIGSTOPped Redis would.
    const usersReplica = await start(`${USER_SERVICE.name} (replica 2)`, userEntry, {
      ...common,
      ...logged(`${USER_SERVICE.name}-replica2`),
      DATABASE_URL: usersDb.url,
    });
    const frozenProxy = await FaultProxy.start(new URL(settings.redisUrl).host);
    proxies.push(frozenProxy);
    const usersFrozen = await start(`${USER_SERVICE.name} (Redis frozen)`, userEntry, {
      ...common,
      ...logged(`${USER_SERVICE.name}-frozen`),
      REDIS_URL: `redis://127.0.0.1:${frozenProxy.port}`,
      DATABASE_URL: usersDb.url,
    });
    // The same user-service from another build (BENCH_BASELINE), against the same database and Redis.
    const baselineEntry = settings.baseline ? builtEntry(USER_SERVICE.name, settings.baseline) : undefined;
    const baseline = baselineEntry
      ? {
          logged: await start(`${USER_SERVICE.name} (baseline)`, baselineEntry, {
            ...common,
            ...logged(`${USER_SERVICE.name}-baseline`),
            DATABASE_URL: usersDb.url,
          }),
          quiet: await start(`${USER_SERVICE.name} (baseline, logging off)`, baselineEntry, { ...common, ...quiet, DATABASE_URL: usersDb.url }),
        }
      : undefined;
    for (const replica of [usersReplica, usersQuiet, ...(baseline ? [baseline.logged, baseline.quiet] : [])]) {
      const read = await fetch(`${replica.baseUrl}${userPath}`);
      if (read.status !== 200) throw new Error(`GET ${userPath} on ${replica.name} answered ${read.status}`);
    }
    frozenProxy.cut('blackhole');

    const bare = await startServer({
      name: 'bare fastify',
      script: path.join(ROOT, 'tools', 'bench', 'bare-server.ts'),
      cwd: ROOT,
      env: { BENCH_BARE_BODY: cachedBody },
      nodeArgs,
    });
    servers.push(bare);

    const orderBody = JSON.stringify({ user_id: user.id, total: '12.50' });
    const json = { 'content-type': 'application/json' };
    tracing = await startTracingBench({
      common,
      logged,
      usersDatabaseUrl: usersDb.url,
      ordersDatabaseUrl: ordersDb.url,
      userPath,
      ordersPath: ORDER_SERVICE.routePrefix,
      orderBody,
      nodeArgs,
      track: (server) => (servers.push(server), server),
    });
    // A read of the hot user from one server.
    const userRead = (name: string, description: string, server: typeof users): BenchCase => ({ name, description, options: { url: `${server.baseUrl}${userPath}` }, servers: [server] });
    const allCases: BenchCase[] = [
      userRead('bare-fastify', 'bare Fastify route returning the same user JSON, no I/O, no logging (ceiling)', bare),
      userRead('get-user-cached', 'GET /users/:id of a hot user (in-process tier kept coherent by Redis tracking), ECS logs to LOG_FILE, stdout warn+ only', users),
      userRead('get-user-cached-nolog', 'GET /users/:id of a hot user, LOG_LEVEL=silent, no LOG_FILE', usersQuiet),
      {
        name: 'get-user-cached-2replicas',
        description: 'GET /users/:id through two user-service replicas at once (half the connections each), logging on',
        options: { url: `${users.baseUrl}${userPath}` },
        alsoUrls: [`${usersReplica.baseUrl}${userPath}`],
        servers: [users, usersReplica],
      },
      {
        name: 'get-user-redis-frozen',
        description: 'GET /users/:id on a replica whose Redis is frozen (connections open, no answers): command timeout, then Postgres',
        options: { url: `${usersFrozen.baseUrl}${userPath}` },
        servers: [usersFrozen],
      },
      {
        name: 'post-users',
        description: 'POST /users with a new email per request (INSERT + cache), logging on',
        options: {
          url: users.baseUrl,
          requests: [{ method: 'POST', path: USER_SERVICE.routePrefix, headers: json, setupRequest: uniqueUserBodies(`${runId}a`) }],
        },
        servers: [users],
      },
      {
        name: 'post-users-nolog',
        description: 'POST /users with a new email per request, logging off',
        options: {
          url: usersQuiet.baseUrl,
          requests: [{ method: 'POST', path: USER_SERVICE.routePrefix, headers: json, setupRequest: uniqueUserBodies(`${runId}b`) }],
        },
        servers: [usersQuiet],
      },
      {
        name: 'post-orders',
        description: 'POST /orders (user-service check over HTTP + INSERT), logging on in both services',
        options: { url: `${orders.baseUrl}${ORDER_SERVICE.routePrefix}`, method: 'POST', headers: json, body: orderBody },
        servers: [orders, users],
      },
      {
        name: 'post-orders-nolog',
        description: 'POST /orders, logging off in both services',
        options: { url: `${ordersQuiet.baseUrl}${ORDER_SERVICE.routePrefix}`, method: 'POST', headers: json, body: orderBody },
        servers: [ordersQuiet, usersQuiet],
      },
      ...(baseline
        ? [
            {
              name: 'get-user-cached-baseline',
              description: `get-user-cached on the BENCH_BASELINE build (${settings.baseline})`,
              options: { url: `${baseline.logged.baseUrl}${userPath}` },
              servers: [baseline.logged],
            },
            {
              name: 'get-user-cached-nolog-baseline',
              description: `get-user-cached-nolog on the BENCH_BASELINE build (${settings.baseline})`,
              options: { url: `${baseline.quiet.baseUrl}${userPath}` },
              servers: [baseline.quiet],
            },
          ]
        : []),
      ...tracing.cases,
    ];
    const unknown = settings.cases?.filter((name) => !allCases.some((c) => c.name === name)) ?? [];
    if (unknown.length) throw new Error(`BENCH_CASES names unknown case(s): ${unknown.join(', ')}`);
    const cases = settings.cases ? allCases.filter((c) => settings.cases!.includes(c.name)) : allCases;

    process.stdout.write(`running ${cases.length} cases, ${settings.connections} connections each (load average ${loadAtStart.join(' ')}) ...\n`);
    const results = await measureAll(cases);

    const ran = (name: string) => results.some((r) => r.name === name);
    const ratioSpecs: ReadonlyArray<[name: string, numerator: string, denominator: string, goal: number]> = [
      ['cached-read / bare', 'get-user-cached', 'bare-fastify', 0.7],
      ['logging on / off (cached read)', 'get-user-cached', 'get-user-cached-nolog', 0.9],
      ['two replicas / bare', 'get-user-cached-2replicas', 'bare-fastify', 0.7],
      ['frozen Redis / cached read', 'get-user-redis-frozen', 'get-user-cached', 0],
      ['logging on / off (POST /users)', 'post-users', 'post-users-nolog', 0.9],
      ['logging on / off (POST /orders)', 'post-orders', 'post-orders-nolog', 0.9],
      ['baseline cached-read / bare', 'get-user-cached-baseline', 'bare-fastify', 0],
      ['baseline logging on / off (cached read)', 'get-user-cached-baseline', 'get-user-cached-nolog-baseline', 0],
      ['this build / baseline (cached read)', 'get-user-cached', 'get-user-cached-baseline', 0],
      ['this build / baseline (cached read, logging off)', 'get-user-cached-nolog', 'get-user-cached-nolog-baseline', 0],
      ...tracing.ratios,
    ];
    const measurable = ratioSpecs.filter(([, numerator, denominator]) => ran(numerator) && ran(denominator));
    const ratios = measurable.map((spec) => ratio(results, ...spec));
    const cpuRatios = measurable.map((spec) => cpuRatio(results, ...spec));
    const logBytes = await directorySize(logDir);

    const cpus = os.cpus();
    const report = {
      generatedAt: new Date().toISOString(),
      machine: {
        cpus: os.availableParallelism(),
        cpuModel: cpus[0]?.model ?? 'unknown',
        memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        // Other work on the machine skews every figure; recorded so a reader can judge.
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
      },
      settings: { ...settings, childNodeArgs: nodeArgs },
      cases: results,
      ratios,
      cpuRatios,
      logBytesWritten: logBytes,
      traceExportRequests: tracing.exportRequests(),
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const outFile = path.join(RESULTS_DIR, 'latest.json');
    await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);

    process.stdout.write(`\n${formatTable(results, ratios, cpuRatios)}\n`);
    process.stdout.write(`\nlog files written while measuring: ${(logBytes / 2 ** 20).toFixed(1)} MiB in ${path.relative(ROOT, logDir)}/\n`);
    process.stdout.write(`results: ${path.relative(ROOT, outFile)}\n`);
  } finally {
    for (const proxy of proxies) await proxy.close();
    for (const server of servers.reverse()) await server.stop();
    // After the traced servers: their shutdown flush still finds the receiver.
    await tracing?.close();
    for (const database of databases) await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
