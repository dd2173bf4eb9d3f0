import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonCache } from '../src/cache.js';
import { TrackedLocalCache } from '../src/tracked-cache.js';

/** The local Redis every test machine runs (TEST_REDIS_URL to use another). */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });

interface Tiers {
  readonly cache: JsonCache<{ name: string }>;
  readonly prefix: string;
  close(): Promise<void>;
}

/** A JsonCache with its local tier on real Redis, under a key prefix of its own, tracking on. */
async function openTiers(): Promise<Tiers> {
  const prefix = `cache-test-${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
  const local = new TrackedLocalCache<{ name: string }>(redis, `${prefix}user:`, logger, { maxEntries: 100, maxBytes: 100_000, ttlMs: 60_000 });
  const deadline = Date.now() + 5_000;
  while (!local.active && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(local.active, 'client tracking is on').toBe(true);
  return {
    cache: new JsonCache(redis, logger, 60, local),
    prefix,
    close: async () => {
      local.close();
      redis.disconnect();
      // Keys set by redis-cli have no TTL: remove everything under the prefix (a plain client: no keyPrefix on the pattern).
      const plain = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const keys = await plain.keys(`${prefix}*`);
      if (keys.length) await plain.del(...keys);
      plain.disconnect();
    },
  };
}

/** Sets a key through redis-cli, a process of its own: this process's event loop stays blocked meanwhile. */
function setFromAnotherClient(key: string, value: unknown): void {
  const { port, hostname } = new URL(REDIS_URL);
  const result = spawnSync('redis-cli', ['-h', hostname, '-p', port || '6379', 'SET', key, JSON.stringify(value)], { encoding: 'utf8', timeout: 10_000 });
  expect(result.stdout.trim(), result.stderr).toBe('OK');
}

describe('JsonCache with the tracked local tier (real Redis)', () => {
  let tiers: Tiers | undefined;
  afterEach(async () => {
    await tiers?.close();
    tiers = undefined;
  });

  it('answers a local hit only after the invalidations already received: a change made while the event loop was busy is read from Redis', async () => {
    tiers = await openTiers();
    const { cache, prefix } = tiers;
    await cache.set('user:1', { name: 'old' });
    expect((await cache.lookup('user:1')).source).toBe('redis'); // stored locally on the way
    expect(await cache.lookup('user:1')).toEqual({ value: { name: 'old' }, source: 'local' });
    // Redis has sent the invalidation before it answered redis-cli, so it waits, unread, in this
    // process's socket while the lookup below starts with the old value in the local tier.
    setFromAnotherClient(`${prefix}user:1`, { name: 'new' });
    const reads = await Promise.all([cache.lookup('user:1'), cache.lookup('user:1'), cache.lookup('user:1')]);
    expect(reads).toEqual(Array(3).fill({ value: { name: 'new' }, source: 'redis' }));
    // A read that starts later waits for a turn of its own, not for the one already taken.
    expect(await cache.lookup('user:1')).toEqual({ value: { name: 'new' }, source: 'local' });
    setFromAnotherClient(`${prefix}user:1`, { name: 'newer' });
    expect(await cache.lookup('user:1')).toEqual({ value: { name: 'newer' }, source: 'redis' });
  });
});
