import type { Pool } from 'pg';
import { defaultPasswordWorkLimits, PasswordWork } from '../passwords/password-work.js';
import type { User } from './users-store.js';

/** A user as the users API shows it to an admin: the login's user and the admin flag. */
export interface Account extends User {
  admin: boolean;
}

export interface AccountChanges {
  first_name?: string | undefined;
  last_name?: string | undefined;
  active?: number | undefined;
}

interface AccountRow {
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

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  email: row.email,
  first_name: row.first_name ?? '',
  last_name: row.last_name ?? '',
  active: row.user_active,
  admin: row.is_admin,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

/** The users table as the admin's users API reads and changes it (the course's GetAll, GetOne, Update, ResetPassword, DeleteByID). */
export class AccountsStore {
  constructor(
    private readonly pool: Pool,
    private readonly passwords = new PasswordWork(defaultPasswordWorkLimits()),
  ) {}

  async list(): Promise<Account[]> {
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${COLUMNS} FROM users ORDER BY id`);
    return rows.map(toAccount);
  }

  async get(id: number): Promise<Account | undefined> {
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] && toAccount(rows[0]);
  }

  /** Changes the given fields only; undefined when there is no such user. */
  async update(id: number, changes: AccountChanges): Promise<Account | undefined> {
    const { rows } = await this.pool.query<AccountRow>(
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

  /** Sets a new password; false when there is no such user. */
  async resetPassword(id: number, password: string): Promise<boolean> {
    const hash = await this.passwords.hash(password);
    const { rowCount } = await this.pool.query('UPDATE users SET password = $2, updated_at = now() WHERE id = $1', [id, hash]);
    return rowCount === 1;
  }

  /** Deletes the user; false when there is no such user. */
  async delete(id: number): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM users WHERE id = $1', [id]);
    return rowCount === 1;
  }
}
