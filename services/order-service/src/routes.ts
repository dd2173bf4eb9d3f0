import {
  HttpError,
  IDEMPOTENT_REPLAYED_HEADER,
  commitInTime,
  idempotencyHeadersSchema,
  idempotencyKeyOf,
  MAX_ROW_ID,
  JsonCache,
  POSITIVE_INTEGER_PATTERN,
  errorRef,
  idParamsSchema,
  toRowId,
  type FastifyInstance,
  type FastifyRequest,
  type ServiceContext,
  recordEvent,
} from '@platform/service-kit';
import { SERVICE, type OrderServiceConfig } from './config.js';
import { DECIMAL_AMOUNT_PATTERN, toMoney } from './money.js';
import { OrderRepository, type NewOrder, type Placement } from './orders.js';
import { UserDirectory, UserServiceUnavailableError } from './user-directory.js';

const orderSchema = {
  type: 'object',
  required: ['id', 'userId', 'total', 'status', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    userId: { type: 'integer' },
    total: { type: 'string' },
    status: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** Most orders `GET /orders?user_id=` returns. */
export const ORDER_LIST_LIMIT = 1000;
/** Seconds order-service remembers that a user exists (users are never deleted). */
const KNOWN_USER_TTL_SECONDS = 60;

interface CreateOrderBody {
  user_id: number;
  total: number | string;
}

/** POST /orders, GET /orders/:id, GET /orders?user_id=N. */
export function orderRoutes(app: FastifyInstance, { db, redis, config, logger }: ServiceContext<OrderServiceConfig>): void {
  const orders = new OrderRepository(db);
  const directory = new UserDirectory(config.USER_SERVICE_URL, config.USER_SERVICE_TIMEOUT_MS);
  const knownUsers = new JsonCache<true>(redis, logger, KNOWN_USER_TTL_SECONDS);
  const prefix = SERVICE.routePrefix;

  /** Whether the user exists, from the cache of known users or else user-service. */
  async function userExists(userId: number, request: FastifyRequest): Promise<boolean> {
    if (toRowId(userId) === undefined) return false; // beyond any id user-service can hold
    const key = `known-user:${userId}`;
    if (await knownUsers.get(key, request.log)) return true;
    const exists = await directory.exists(userId, request.id).catch((error: unknown) => {
      if (error instanceof UserServiceUnavailableError) {
        request.log.warn({ err: error, 'user.id': String(userId), 'error.message': (error.cause as Error | undefined)?.message }, error.message);
        throw new HttpError(503, error.message);
      }
      throw error;
    });
    if (exists) await knownUsers.set(key, true, request.log);
    return exists;
  }

  app.post<{ Body: CreateOrderBody }>(
    prefix,
    {
      schema: {
        headers: idempotencyHeadersSchema,
        body: {
          type: 'object',
          required: ['user_id', 'total'],
          additionalProperties: false,
          properties: {
            user_id: { type: 'integer', minimum: 1, maximum: MAX_ROW_ID },
            total: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: DECIMAL_AMOUNT_PATTERN }] },
          },
        },
        response: { 201: orderSchema, 400: errorRef, 422: errorRef, 503: errorRef },
      },
    },
    async (request, reply) => {
      // -0 is negative in writing, as "-0.00" is: both are refused.
      const total = Object.is(request.body.total, -0) ? undefined : toMoney(request.body.total);
      if (total === undefined) {
        throw new HttpError(400, 'body/total must be at least 0, with at most 2 decimals and at most 10 integer digits');
      }
      const placement = await placeOrder({ userId: request.body.user_id, total }, idempotencyKeyOf(request), request);
      reply.header(IDEMPOTENT_REPLAYED_HEADER, String(placement.replayed));
      if (!placement.replayed) {
        recordEvent(request, { 'event.action': 'order_created', 'order.id': String(placement.order.id), 'user.id': String(placement.order.userId) });
      }
      return reply.code(201).send(placement.order);
    },
  );

  async function placeOrder(order: NewOrder, key: string | undefined, request: FastifyRequest): Promise<Placement> {
    // A retry of a finished request is answered from the database, without asking user-service again
    // (a key used with another request is a 422 IdempotencyConflictError).
    const earlier = key === undefined ? undefined : await orders.findByKey(key, order);
    if (earlier) return { order: earlier, replayed: true };
    if (!(await userExists(order.userId, request))) {
      throw new HttpError(422, `user ${order.userId} does not exist`);
    }
    // Committed only while the client still waits: a 503 never leaves an order behind it.
    return commitInTime(db, request, config.REQUEST_TIMEOUT_MS, async (tx) => {
      const placing = new OrderRepository(tx);
      return key === undefined ? { order: await placing.create(order), replayed: false } : await placing.createOnce(key, order);
    });
  }

  app.get<{ Params: { id: string } }>(
    `${prefix}/:id`,
    { schema: { params: idParamsSchema, response: { 200: orderSchema, 400: errorRef, 404: errorRef } } },
    async (request) => {
      const id = toRowId(request.params.id);
      const order = id === undefined ? undefined : await orders.findById(id);
      if (!order) throw new HttpError(404, `order ${request.params.id} not found`);
      return order;
    },
  );

  app.get<{ Querystring: { user_id: string } }>(
    prefix,
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['user_id'],
          properties: { user_id: { type: 'string', pattern: POSITIVE_INTEGER_PATTERN } },
        },
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: orderSchema } } }, 400: errorRef },
      },
    },
    async (request) => {
      const userId = toRowId(request.query.user_id);
      return { items: userId === undefined ? [] : await orders.listByUser(userId, ORDER_LIST_LIMIT) };
    },
  );
}
