import { Redis } from 'ioredis';

/** Empties the one logical Redis database `url` names (e.g. `redis://127.0.0.1:6379/15`), nothing else. */
export async function flushRedisDatabase(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}
