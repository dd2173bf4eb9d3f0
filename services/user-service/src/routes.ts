import { HttpError, IDEMPOTENT_REPLAYED_HEADER, commitInTime, idempotencyHeadersSchema, idempotencyKeyOf, JsonCache, TrackedLocalCache, VISIBLE_TEXT_PATTERN, errorRef, recordEvent, idParamsSchema, toRowId, type FastifyInstance, type FastifyRequest, type ServiceContext } from '@platform/service-kit';
import type { UserServiceConfig } from './config.js';
import { SERVICE } from './config.js';
import { EmailTakenError, UserRepository, type NewUser, type User } from './users.js';

const userSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    email: { type: 'string' },
    name: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const email = { type: 'string', format: 'email', minLength: 3, maxLength: 254 } as const;
// A name has at least one visible character and no control characters (NUL, CR, LF…) or lone surrogates.
const name = { type: 'string', minLength: 1, maxLength: 200, pattern: VISIBLE_TEXT_PATTERN } as const;

interface IdParams {
  id: string;
}

const cacheKey = (id: number) => `user:${id}`;

/** POST /users, GET /users/:id, PATCH /users/:id. */
export function userRoutes(app: FastifyInstance, { db, redis, config, logger }: ServiceContext<UserServiceConfig>): void {
  const users = new UserRepository(db);
  const local =
    config.LOCAL_CACHE_MAX_ENTRIES > 0
      ? new TrackedLocalCache<User>(redis, `${redis.options.keyPrefix ?? ''}${cacheKey(0).slice(0, -1)}`, logger, {
          maxEntries: config.LOCAL_CACHE_MAX_ENTRIES,
          maxBytes: config.LOCAL_CACHE_MAX_BYTES,
          ttlMs: config.CACHE_TTL_SECONDS * 1000,
        })
      : undefined;
  if (local) app.addHook('onClose', async () => local.close());
  const cache = new JsonCache<User>(redis, logger, config.CACHE_TTL_SECONDS, local);
  const prefix = SERVICE.routePrefix;

  /**
   * Creates the user, committed only while the client still waits (a 503 leaves no user behind
   * it). With a key: once per key; a retry gets the same user, with `replayed`.
   */
  async function createUser(user: NewUser, key: string | undefined, request: FastifyRequest): Promise<{ user: User; replayed: boolean }> {
    const earlier = key === undefined ? undefined : await users.findByKey(key, user);
    if (earlier) return { user: earlier, replayed: true };
    try {
      return await commitInTime(db, request, config.REQUEST_TIMEOUT_MS, async (tx) => {
        const creating = new UserRepository(tx);
        if (key === undefined) return { user: await creating.create(user), replayed: false };
        const { row, replayed } = await creating.createOnce(key, user);
        return { user: row, replayed };
      });
    } catch (error) {
      // Two requests with one key racing: the loser may fail on the email's unique index instead
      // of conflicting on the key (ON CONFLICT only covers the key); the winner committed, so it is a replay.
      const winner = key !== undefined && error instanceof EmailTakenError ? await users.findByKey(key, user) : undefined;
      if (winner) return { user: winner, replayed: true };
      throw error;
    }
  }

  app.post<{ Body: { email: string; name: string } }>(
    prefix,
    {
      schema: {
        headers: idempotencyHeadersSchema,
        body: { type: 'object', required: ['email', 'name'], additionalProperties: false, properties: { email, name } },
        response: { 201: userSchema, 400: errorRef, 409: errorRef, 422: errorRef, 503: errorRef },
      },
    },
    async (request, reply) => {
      const newUser = { email: request.body.email, name: request.body.name.trim() };
      const { user, replayed } = await createUser(newUser, idempotencyKeyOf(request), request).catch(rethrowEmailTaken);
      reply.header(IDEMPOTENT_REPLAYED_HEADER, String(replayed));
      if (!replayed) recordEvent(request, { 'event.action': 'user_created', 'user.id': String(user.id) });
      return reply.code(201).send(user);
    },
  );

  app.get<{ Params: IdParams }>(
    `${prefix}/:id`,
    { schema: { params: idParamsSchema, response: { 200: userSchema, 400: errorRef, 404: errorRef } } },
    async (request) => {
      const id = toRowId(request.params.id) ?? notFound(request.params.id);
      const { value: cached, source } = await cache.lookup(cacheKey(id), request.log);
      const user = cached ?? (await users.findById(id)) ?? notFound(id);
      if (!cached) await cache.set(cacheKey(id), user, request.log);
      // labels.cache: hit (local or Redis) / miss; labels.cache_tier says which tier answered.
      recordEvent(request, { 'event.action': 'user_fetched', 'user.id': String(id), 'labels.cache': cached ? 'hit' : 'miss', 'labels.cache_tier': source });
      return user;
    },
  );

  app.patch<{ Params: IdParams; Body: { email?: string; name?: string } }>(
    `${prefix}/:id`,
    {
      schema: {
        params: idParamsSchema,
        body: { type: 'object', minProperties: 1, additionalProperties: false, properties: { email, name } },
        response: { 200: userSchema, 400: errorRef, 404: errorRef, 409: errorRef },
      },
    },
    async (request) => {
      const id = toRowId(request.params.id) ?? notFound(request.params.id);
      const changes = { email: request.body.email, name: request.body.name?.trim() };
      const user = (await users.update(id, changes).catch(rethrowEmailTaken)) ?? notFound(id);
      // Write, then invalidate: the next read repopulates the cache from Postgres.
      await cache.delete(cacheKey(id), request.log);
      recordEvent(request, { 'event.action': 'user_updated', 'user.id': String(id) });
      return user;
    },
  );
}

function notFound(id: string | number): never {
  throw new HttpError(404, `user ${id} not found`);
}

function rethrowEmailTaken(error: unknown): never {
  throw error instanceof EmailTakenError ? new HttpError(409, error.message) : error;
}
