import type { Pool, PoolClient } from 'pg';

/** A user as it is sent to clients: never the password or its hash. */
export interface User {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  active: number;
  created_at: string;
  updated_at: string;
}

/** A user as the users API shows it to an admin: the login's user and the admin flag. */
export interface Account extends User {
  admin: boolean;
}

export interface UserWithHash {
  user: User;
  passwordHash: string;
}

export interface NewUser {
  email: string;
  firstName: string;
  lastName: string;
  passwordHash: string;
  active: number;
  admin?: boolean;
}

export interface AccountChanges {
  first_name?: string | undefined;
  last_name?: string | undefined;
  active?: number | undefined;
}

/** The pool, or the connection of a transaction the caller holds. */
type Queryable = Pool | PoolClient;

interface UserRow {
  id: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  user_active: number;
  is_admin: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, email, first_name, last_name, user_active, is_admin, created_at, updated_at';

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  first_name: row.first_name ?? '',
  last_name: row.last_name ?? '',
  active: row.user_active,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

const toAccount = (row: UserRow): Account => ({ ...toUser(row), admin: row.is_admin });

/**
 * The users table: every query of it is here (the course's data layer: GetByEmail,
 * GetAll, GetOne, Update, ResetPassword, DeleteByID, Insert). It stores password
 * hashes; computing them is the caller's work. The table itself is made by
 * migrations/ (0001_users.sql, 0002_users_admin_flag.sql).
 */
export class UsersStore {
  constructor(private readonly pool: Pool) {}

  /** Resolves when Postgres answers (the service's readiness). */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /**
   * The user of `email`, whatever its case. Should an earlier version have stored
   * two addresses that differ only in case, the one spelled exactly as given wins,
   * so each of them keeps logging in.
   */
  async findByEmail(email: string): Promise<UserWithHash | undefined> {
    const { rows } = await this.pool.query<UserRow & { password: string }>(
      `SELECT ${COLUMNS}, password FROM users WHERE lower(email) = lower($1)
       ORDER BY email = $1 DESC, id LIMIT 1`,
      [email.trim()],
    );
    const row = rows[0];
    return row && { user: toUser(row), passwordHash: row.password };
  }

  /** Whether an account holds `email` in any spelling; in `db`, the caller's transaction, when given. */
  async emailTaken(email: string, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [email]);
    return rowCount !== 0;
  }

  /**
   * Adds a user, its email as given (callers lower-case it); undefined when this
   * exact address is taken. Other spellings are the caller's to check (emailTaken):
   * a table of an earlier version may hold two, so no unique index can.
   */
  async insert(user: NewUser, db: Queryable = this.pool): Promise<{ id: number; createdAt: Date } | undefined> {
    const { rows } = await db.query<{ id: number; created_at: Date }>(
      `INSERT INTO users (email, first_name, last_name, password, user_active, is_admin)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING RETURNING id, created_at`,
      [user.email, user.firstName, user.lastName, user.passwordHash, user.active, user.admin ?? false],
    );
    return rows[0] && { id: rows[0].id, createdAt: rows[0].created_at };
  }

  async list(): Promise<Account[]> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY id`);
    return rows.map(toAccount);
  }

  async get(id: number): Promise<Account | undefined> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] && toAccount(rows[0]);
  }

  /** Changes the given fields only; undefined when there is no such user. */
  async update(id: number, changes: AccountChanges): Promise<Account | undefined> {
    const { rows } = await this.pool.query<UserRow>(
      `UPDATE users SET
         first_name = COALESCE($2, first_name),
         last_name = COALESCE($3, last_name),
         user_active = COALESCE($4, user_active),
         updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, changes.first_name ?? null, changes.last_name ?? null, changes.active ?? null],
    );
    return rows[0] && toAccount(rows[0]);
  }

  /** Stores a new password hash; false when there is no such user. */
  async setPasswordHash(id: number, passwordHash: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE users SET password = $2, updated_at = now() WHERE id = $1', [id, passwordHash]);
    return rowCount === 1;
  }

  /** Deletes the user; false when there is no such user. */
  async delete(id: number): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM users WHERE id = $1', [id]);
    return rowCount === 1;
  }
}
