import bcrypt from 'bcrypt';
import type { Pool } from 'pg';
import { createOutboxTable } from '../outbox/outbox-store.js';

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

export interface UserWithHash {
  user: User;
  passwordHash: string;
}

export const BCRYPT_COST = 12;

export const SEED_USER = {
  email: 'admin@example.com',
  password: 'verysecret',
  firstName: 'Admin',
  lastName: 'User',
};

// Any constant shared by all replicas: it serialises the schema set-up between them.
const MIGRATION_LOCK_ID = 4_242_001;

/** The users table: created with the admin user on start, read on login. */
export class UsersStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Creates the table and the seeded admin user if they are missing. Safe on
   * every start, and from two replicas at once: the advisory lock lets one
   * replica at a time in, and the second finds the work done.
   */
  async migrate(adminPassword: string = SEED_USER.password): Promise<{ seeded: boolean }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
      await client.query(`
        CREATE TABLE IF NOT EXISTS users (
          id serial PRIMARY KEY,
          email varchar(255) NOT NULL,
          first_name varchar(255),
          last_name varchar(255),
          password varchar(60) NOT NULL,
          user_active integer NOT NULL DEFAULT 0,
          created_at timestamp with time zone NOT NULL DEFAULT now(),
          updated_at timestamp with time zone NOT NULL DEFAULT now()
        )`);
      await client.query('CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users (email)');
      // Logins look an email up whatever its case. Not unique: a table of an earlier version may hold two
      // addresses that differ only in case, and both keep logging in; sign-ups take a lock instead (Registration).
      await client.query('CREATE INDEX IF NOT EXISTS users_email_lower_idx ON users (lower(email))');
      await addAdminFlag(client);
      await createOutboxTable(client);
      const existing = await client.query('SELECT 1 FROM users WHERE lower(email) = $1', [SEED_USER.email]);
      let seeded = false;
      if (existing.rowCount === 0) {
        const hash = await bcrypt.hash(adminPassword, BCRYPT_COST);
        await client.query(
          `INSERT INTO users (email, first_name, last_name, password, user_active, is_admin)
           VALUES ($1, $2, $3, $4, 1, true) ON CONFLICT (email) DO NOTHING`,
          [SEED_USER.email, SEED_USER.firstName, SEED_USER.lastName, hash],
        );
        seeded = true;
      }
      await client.query('COMMIT');
      return { seeded };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * In production, an admin still holding the course's password (seeded by an
   * earlier start without ADMIN_PASSWORD) gets `adminPassword` instead.
   * Returns whether it did.
   */
  async replaceDefaultAdminPassword(adminPassword: string): Promise<boolean> {
    const found = await this.findByEmail(SEED_USER.email);
    if (!found || !(await bcrypt.compare(SEED_USER.password, found.passwordHash))) return false;
    const hash = await bcrypt.hash(adminPassword, BCRYPT_COST);
    await this.pool.query('UPDATE users SET password = $1, updated_at = now() WHERE id = $2', [hash, found.user.id]);
    return true;
  }

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
    const result = await this.pool.query<{
      id: number;
      email: string;
      first_name: string | null;
      last_name: string | null;
      password: string;
      user_active: number;
      created_at: Date;
      updated_at: Date;
    }>(
      `SELECT id, email, first_name, last_name, password, user_active, created_at, updated_at
       FROM users WHERE lower(email) = lower($1)
       ORDER BY email = $1 DESC, id LIMIT 1`,
      [email.trim()],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      passwordHash: row.password,
      user: {
        id: row.id,
        email: row.email,
        first_name: row.first_name ?? '',
        last_name: row.last_name ?? '',
        active: row.user_active,
        created_at: row.created_at.toISOString(),
        updated_at: row.updated_at.toISOString(),
      },
    };
  }

  /** Adds a user directly, its email lower-cased, with no welcome event; tests and tools use it (sign-ups go through Registration). */
  async insert(user: { email: string; password: string; firstName: string; lastName: string; active: number; admin?: boolean }): Promise<number> {
    const hash = await bcrypt.hash(user.password, BCRYPT_COST);
    const result = await this.pool.query<{ id: number }>(
      `INSERT INTO users (email, first_name, last_name, password, user_active, is_admin)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [user.email.trim().toLowerCase(), user.firstName, user.lastName, hash, user.active, user.admin ?? false],
    );
    return result.rows[0]!.id;
  }
}

/**
 * The admin flag, added to a table of an earlier version in place. When the
 * column is new, the seeded admin becomes an admin: it is the account the
 * course gave everyone, and the one that logs in to the dashboard.
 */
async function addAdminFlag(client: { query: Pool['query'] }): Promise<void> {
  const { rowCount } = await client.query(
    "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'is_admin'",
  );
  if (rowCount) return;
  await client.query('ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false');
  await client.query('UPDATE users SET is_admin = true WHERE email = $1', [SEED_USER.email]);
}
