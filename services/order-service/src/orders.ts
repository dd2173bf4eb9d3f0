import { IdempotentTable, requestDigest, type Queryable } from '@platform/service-kit';

/** An order as the API returns it; `total` is an exact decimal string such as "12.50". */
export interface Order {
  id: number;
  userId: number;
  total: string;
  status: string;
  createdAt: string;
}

/** What a new order is made of (total already normalised by `toMoney`). */
export interface NewOrder {
  userId: number;
  total: string;
}

/** The result of an idempotent create: the order, and whether it was created by an earlier request. */
export interface Placement {
  order: Order;
  replayed: boolean;
}

const COLUMNS = 'id, user_id, total, status, created_at, request_digest';

interface OrderRow {
  id: number;
  user_id: number;
  total: string; // pg returns numeric as a string: exact
  status: string;
  created_at: Date;
  request_digest: string | null;
}

function toOrder(row: OrderRow): Order {
  return { id: row.id, userId: row.user_id, total: row.total, status: row.status, createdAt: row.created_at.toISOString() };
}

/** Same digest for the same request however its JSON was spelled (`12.5` vs `"12.50"`). */
const digestOf = (order: NewOrder) => requestDigest([order.userId, order.total]);

const keyedOrders = new IdempotentTable<OrderRow>('orders', COLUMNS);

/** The orders table, through the pool or one transaction's client. */
export class OrderRepository {
  constructor(private readonly db: Queryable) {}

  async findById(id: number): Promise<Order | undefined> {
    const { rows } = await this.db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
    return rows[0] && toOrder(rows[0]);
  }

  /** The user's orders, oldest first, at most `limit`. */
  async listByUser(userId: number, limit: number): Promise<Order[]> {
    const { rows } = await this.db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE user_id = $1 ORDER BY id LIMIT $2`, [userId, limit]);
    return rows.map(toOrder);
  }

  async create(order: NewOrder): Promise<Order> {
    const { rows } = await this.db.query<OrderRow>(`INSERT INTO orders (user_id, total) VALUES ($1, $2) RETURNING ${COLUMNS}`, [
      order.userId,
      order.total,
    ]);
    return toOrder(rows[0]!);
  }

  /**
   * The order an Idempotency-Key already produced, if any. Throws IdempotencyConflictError (422)
   * when the key was used for a different request.
   */
  async findByKey(key: string, order: NewOrder): Promise<Order | undefined> {
    const row = await keyedOrders.findByKey(this.db, key, digestOf(order));
    return row && toOrder(row);
  }

  /** Creates the order once per key (see IdempotentTable.insertOnce). */
  async createOnce(key: string, order: NewOrder): Promise<Placement> {
    const { row, replayed } = await keyedOrders.insertOnce(this.db, key, digestOf(order), ['user_id', 'total'], [order.userId, order.total]);
    return { order: toOrder(row), replayed };
  }
}
