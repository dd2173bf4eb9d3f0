/**
 * The price of the cache hop alone: CPU per GET in an ioredis client (as the services
 * configure it) and in redis-server, for a value the size of a cached user. A cached read pays
 * this on top of everything a bare route does, so it bounds the cached-read/bare ratio.
 * Usage: tsx tools/bench/redis-cost.ts [redis-url]
 */
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { cpuMillis } from './cpu.js';

const GETS = 40_000;
const CONCURRENCY = 10;
const url = process.argv[2] ?? 'redis://127.0.0.1:6379';

const redis = new Redis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 1, commandTimeout: 500 });
const key = `redis-cost:${process.pid}`;
await redis.set(key, JSON.stringify({ id: 1, email: 'someone@example.test', name: 'Some One', createdAt: new Date().toISOString() }), 'EX', 60);
const serverPid = (() => {
  try {
    return Number(execFileSync('pgrep', ['-o', 'redis-server']).toString().trim());
  } catch {
    return undefined;
  }
})();

async function worker(count: number) {
  for (let i = 0; i < count; i++) JSON.parse((await redis.get(key))!);
}
await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(2_000))); // warm-up
const clientStart = process.cpuUsage();
const serverStart = await cpuMillis(serverPid);
const wallStart = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(GETS / CONCURRENCY)));
const wall = performance.now() - wallStart;
const client = process.cpuUsage(clientStart);
const serverEnd = await cpuMillis(serverPid);
await redis.del(key);
redis.disconnect();

process.stdout.write(`ioredis client: ${((client.user + client.system) / GETS).toFixed(1)} µs CPU per GET\n`);
if (serverStart !== undefined && serverEnd !== undefined) {
  process.stdout.write(`redis-server:   ${(((serverEnd - serverStart) * 1000) / GETS).toFixed(1)} µs CPU per GET (includes other clients' commands)\n`);
}
process.stdout.write(`throughput:     ${Math.round(GETS / (wall / 1000))} GET/s with ${CONCURRENCY} in flight\n`);
