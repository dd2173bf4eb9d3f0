/** Private Redis key prefixes, so tests sharing one Redis never see each other's keys. Redis: TEST_REDIS_URL (default redis://127.0.0.1:6379). */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis key prefix no other test uses; `deleteRedisKeys` removes what was written under it. */
export function uniqueRedisPrefix(label = 'test'): string {
  return `${label}-${randomBytes(6).toString('hex')}:`;
}

export async function deleteRedisKeys(prefix: string, redisUrl = REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
