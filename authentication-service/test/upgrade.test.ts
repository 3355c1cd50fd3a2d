import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { UsersStore } from '../src/accounts/users-store.js';
import { createApp } from '../src/app.js';
import { Authenticator } from '../src/login/authenticate.js';
import { accountsFor, call, prepareDatabase } from './accounts-harness.js';

const MIGRATIONS = ['0001_users', '0002_users_admin_flag', '0003_login_limits', '0004_outbox', '0005_outbox_headers'];

/** The columns and indexes of the service's tables, as Postgres describes them. */
async function schemaOf(pool: pg.Pool): Promise<unknown> {
  const columns = await pool.query(
    `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name IN ('users', 'login_limits', 'outbox')
     ORDER BY table_name, ordinal_position`,
  );
  const indexes = await pool.query(
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('users', 'login_limits', 'outbox') ORDER BY indexname",
  );
  return { columns: columns.rows, indexes: indexes.rows };
}

const appliedMigrations = async (pool: pg.Pool) =>
  (await pool.query<{ name: string }>('SELECT name FROM authentication_service_migrations ORDER BY id')).rows.map((row) => row.name);

/** Users as an earlier version stored them: hashed at cost 4 (fast), emails as typed. */
const OLD_USERS = [
  { email: 'admin@example.com', password: 'verysecret', admin: true },
  { email: 'ada@example.com', password: 'analytical-1', admin: false },
  // Before emails were lower-cased: two spellings of one address, unique only as typed.
  { email: 'Old@Example.com', password: 'first-password-1', admin: false },
  { email: 'old@example.com', password: 'second-password-2', admin: false },
];

describe('a database made before migrations/ upgrades in place', () => {
  let old: TestDatabase;
  let pool: pg.Pool;
  let app: RunningApp;
  let appliedOnUpgrade: { seeded: boolean };
  const pendingEvent = randomUUID();

  beforeAll(async () => {
    old = await createTestDatabase();
    pool = new pg.Pool({ connectionString: old.url });
    await pool.query(await readFile(new URL('fixtures/before-migrations.sql', import.meta.url), 'utf8'));
    for (const user of OLD_USERS) {
      await pool.query('INSERT INTO users (email, first_name, last_name, password, user_active, is_admin) VALUES ($1, $2, $3, $4, 1, $5)', [
        user.email,
        'Old',
        'User',
        await bcrypt.hash(user.password, 4),
        user.admin,
      ]);
    }
    await pool.query("INSERT INTO outbox (id, routing_key, payload) VALUES ($1, 'user.registered', '{}')", [pendingEvent]);
    await pool.query("INSERT INTO login_limits (key, points, expire) VALUES ('address:10.0.0.1', 3, NULL)");

    appliedOnUpgrade = await prepareDatabase(old.url);

    const logger = createLogger('authentication-service', { level: 'silent', pretty: false });
    const authenticator = new Authenticator(new UsersStore(pool), async () => undefined, logger);
    app = await startApp(createApp({ logger, authenticator, accounts: accountsFor(pool) }));
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await old?.drop();
  });

  it('records every migration as applied, and its tables are then exactly those the migrations make on an empty database', async () => {
    const fresh = await createTestDatabase();
    const freshPool = new pg.Pool({ connectionString: fresh.url });
    try {
      await prepareDatabase(fresh.url);

      expect(await appliedMigrations(pool)).toEqual(MIGRATIONS);
      expect(await schemaOf(pool)).toEqual(await schemaOf(freshPool));
    } finally {
      await freshPool.end();
      await fresh.drop();
    }
  });

  it('keeps every user logging in with the password they had, both spellings of one address included', async () => {
    for (const { email, password } of OLD_USERS) {
      const { status, body } = await call('POST', `${app.url}/authenticate`, { body: { email, password } });
      expect({ email, status, message: body.message }).toEqual({ email, status: 202, message: `Logged in user ${email}` });
    }
  });

  it('seeds no second admin and keeps the one there an admin', async () => {
    expect(appliedOnUpgrade.seeded).toBe(false);
    const { rows } = await pool.query("SELECT email, is_admin FROM users WHERE lower(email) = 'admin@example.com'");
    expect(rows).toEqual([{ email: 'admin@example.com', is_admin: true }]);
  });

  it('answers 409 to a sign-up of a third spelling of an address held twice', async () => {
    const signUp = { email: 'OLD@example.com', first_name: 'Ada', last_name: 'Lovelace', password: 'analytical-engine-1' };
    const { status } = await call('POST', `${app.url}/register`, { body: signUp });
    expect(status).toBe(409);
  });

  it('keeps the unsent outbox event and the login counts', async () => {
    expect((await pool.query('SELECT sent_at FROM outbox WHERE id = $1', [pendingEvent])).rows).toEqual([{ sent_at: null }]);
    expect((await pool.query("SELECT points FROM login_limits WHERE key = 'address:10.0.0.1'")).rows).toEqual([{ points: 3 }]);
  });

  it('when the service starts again, applies nothing and seeds nothing', async () => {
    expect(await prepareDatabase(old.url)).toEqual({ seeded: false });
    expect(await appliedMigrations(pool)).toEqual(MIGRATIONS);
  });
});

describe('a users table from before the admin flag', () => {
  it('gains the flag, and only the seeded admin is an admin, however many replicas start at once', async () => {
    const older = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: older.url });
    try {
      await pool.query(`CREATE TABLE users (id serial PRIMARY KEY, email varchar(255) NOT NULL, first_name varchar(255), last_name varchar(255),
        password varchar(60) NOT NULL, user_active integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`);
      await pool.query("INSERT INTO users (email, password, user_active) VALUES ('admin@example.com', 'x', 1), ('old@example.com', 'x', 1)");

      await Promise.all([prepareDatabase(older.url), prepareDatabase(older.url)]);
      await prepareDatabase(older.url);

      const { rows } = await pool.query('SELECT email, is_admin FROM users ORDER BY id');
      expect(rows).toEqual([
        { email: 'admin@example.com', is_admin: true },
        { email: 'old@example.com', is_admin: false },
      ]);
      expect((await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n).toBe(0);
    } finally {
      await pool.end();
      await older.drop();
    }
  });
});
