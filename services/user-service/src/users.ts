import { IdempotentTable, isUniqueViolation, requestDigest, type Created, type Queryable } from '@platform/service-kit';

/** A user as the API returns it. */
export interface User {
  id: number;
  email: string;
  name: string;
  createdAt: string;
}

/** What a new user is made of (name already trimmed). */
export interface NewUser {
  email: string;
  name: string;
}

/** Thrown when another user already has the email (case-insensitive). */
export class EmailTakenError extends Error {
  constructor() {
    // No email in the message: it reaches the client and the log.
    super('a user with this email already exists');
  }
}

const COLUMNS = 'id, email, name, created_at';

interface UserRow {
  id: number;
  email: string;
  name: string;
  created_at: Date;
  request_digest: string | null;
}

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.created_at.toISOString() };
}

const digestOf = (user: NewUser) => requestDigest([user.email, user.name]);
const keyedUsers = new IdempotentTable<UserRow>('users', `${COLUMNS}, request_digest`);

function rethrowEmailTaken(error: unknown): never {
  throw isUniqueViolation(error, 'users_email_lower_key') ? new EmailTakenError() : error;
}

/** The users table, through the pool or one transaction's client. */
export class UserRepository {
  constructor(private readonly db: Queryable) {}

  async create(user: NewUser): Promise<User> {
    const { rows } = await this.db
      .query<UserRow>(`INSERT INTO users (email, name) VALUES ($1, $2) RETURNING ${COLUMNS}`, [user.email, user.name])
      .catch(rethrowEmailTaken);
    return toUser(rows[0]!);
  }

  /** The user an Idempotency-Key already created, if any; IdempotencyConflictError (422) when it came with another request. */
  async findByKey(key: string, user: NewUser): Promise<User | undefined> {
    const row = await keyedUsers.findByKey(this.db, key, digestOf(user));
    return row && toUser(row);
  }

  /** Creates the user once per key (see IdempotentTable.insertOnce). */
  async createOnce(key: string, user: NewUser): Promise<Created<User>> {
    const { row, replayed } = await keyedUsers
      .insertOnce(this.db, key, digestOf(user), ['email', 'name'], [user.email, user.name])
      .catch(rethrowEmailTaken);
    return { row: toUser(row), replayed };
  }

  async findById(id: number): Promise<User | undefined> {
    const { rows } = await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] && toUser(rows[0]);
  }

  /** Changes the given fields; undefined when the user does not exist. */
  async update(id: number, changes: { email?: string; name?: string }): Promise<User | undefined> {
    const { rows } = await this.db
      .query<UserRow>(
        `UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name), updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, changes.email ?? null, changes.name ?? null],
      )
      .catch(rethrowEmailTaken);
    return rows[0] && toUser(rows[0]);
  }
}
