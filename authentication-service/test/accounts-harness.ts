import bcrypt from 'bcrypt';
import pg from 'pg';
import { createLogger } from '@go-micro/toolkit';
import { ServiceClient } from '@go-micro/toolkit/client';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { startStandIn, envelope, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import type { AccountsDeps } from '../src/accounts/accounts-routes.js';
import { Registration } from '../src/accounts/registration.js';
import { SEED_USER, seedAdmin } from '../src/accounts/seeded-admin.js';
import { Tokens } from '../src/accounts/tokens.js';
import { UsersStore, type NewUser } from '../src/accounts/users-store.js';
import { createApp } from '../src/app.js';
import { loggerServiceAudit } from '../src/login/audit-log.js';
import { Authenticator } from '../src/login/authenticate.js';
import { BCRYPT_COST, defaultPasswordWorkLimits, PasswordWork } from '../src/passwords/password-work.js';
import { migrateDatabase } from '../src/postgres/migrations.js';

export const TEST_TOKEN_SECRET = 'a-test-secret-of-more-than-32-characters';

const silent = createLogger('authentication-service', { level: 'silent', pretty: false });

/** What main.ts does to the database at start-up: the migrations, then the seeded admin (with the course's password). */
export async function prepareDatabase(url: string): Promise<{ seeded: boolean }> {
  await migrateDatabase(url, silent);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return { seeded: await seedAdmin(new UsersStore(pool), SEED_USER.password) };
  } finally {
    await pool.end();
  }
}

/** A user straight into the table, its password hashed as sign-ups hash it; returns its id. */
export async function addUser(users: UsersStore, user: Omit<NewUser, 'passwordHash'> & { password: string }): Promise<number> {
  const { password, ...rest } = user;
  const inserted = await users.insert({ ...rest, passwordHash: await bcrypt.hash(password, BCRYPT_COST) });
  if (!inserted) throw new Error(`${user.email} is taken`);
  return inserted.id;
}

/** Sign-up, tokens and the users API over `pool`, as main.ts wires them (without a publisher: nothing kicks it). */
export const accountsFor = (pool: pg.Pool, onCommitted?: () => void, passwords = new PasswordWork(defaultPasswordWorkLimits())): AccountsDeps => ({
  registration: new Registration(pool, onCommitted, passwords),
  tokens: new Tokens(TEST_TOKEN_SECRET, 900),
  users: new UsersStore(pool),
  passwords,
});

/** The authentication service in this process on a database of its own, the logger stood in for. */
export interface RunningAuth {
  url: string;
  db: TestDatabase;
  pool: pg.Pool;
  users: UsersStore;
  close(): Promise<void>;
}

export async function startAuth(): Promise<RunningAuth> {
  const db = await createTestDatabase();
  await prepareDatabase(db.url);
  const pool = new pg.Pool({ connectionString: db.url });
  const users = new UsersStore(pool);
  const loggerService: StandIn = await startStandIn(() => envelope(202, 'logged'));
  const logger = createLogger('authentication-service', { level: 'silent', pretty: false });
  const audit = loggerServiceAudit(new ServiceClient({ name: 'logger-service', baseUrl: loggerService.url, timeoutMs: 2_000 }));
  const app: RunningApp = await startApp(createApp({ logger, authenticator: new Authenticator(users, audit, logger), accounts: accountsFor(pool) }));
  return {
    url: app.url,
    db,
    pool,
    users,
    close: async () => {
      await app.close();
      await loggerService.close();
      await pool.end();
      await db.drop();
    },
  };
}

/** Sends a request with a JSON body (or none) and an optional bearer token; returns status and envelope. */
export async function call(
  method: string,
  url: string,
  { body, token }: { body?: unknown; token?: string } = {},
): Promise<{ status: number; body: { error: boolean; message: string; data?: unknown } }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as never };
}
