import { isUniqueViolation, type Pool } from '@platform/service-kit';

/** A user as the API returns it. */
export interface User {
  id: number;
  email: string;
  name: string;
  createdAt: string;
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
}

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.created_at.toISOString() };
}

/** The users table. */
export class UserRepository {
  constructor(private readonly db: Pool) {}

  async create(email: string, name: string): Promise<User> {
    try {
      const { rows } = await this.db.query<UserRow>(`INSERT INTO users (email, name) VALUES ($1, $2) RETURNING ${COLUMNS}`, [email, name]);
      return toUser(rows[0]!);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_lower_key')) throw new EmailTakenError();
      throw error;
    }
  }

  async findById(id: number): Promise<User | undefined> {
    const { rows } = await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] && toUser(rows[0]);
  }

  /** Changes the given fields; undefined when the user does not exist. */
  async update(id: number, changes: { email?: string; name?: string }): Promise<User | undefined> {
    try {
      const { rows } = await this.db.query<UserRow>(
        `UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name), updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, changes.email ?? null, changes.name ?? null],
      );
      return rows[0] && toUser(rows[0]);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_lower_key')) throw new EmailTakenError();
      throw error;
    }
  }
}
