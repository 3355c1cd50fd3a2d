import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { ServiceClient } from '@go-micro/toolkit/client';
import { freePort } from '@go-micro/testkit/free-port.js';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { UsersStore } from '../src/accounts/users-store.js';
import { createApp } from '../src/app.js';
import { loggerServiceAudit } from '../src/login/audit-log.js';
import { Authenticator } from '../src/login/authenticate.js';
import { accountsFor, addUser, prepareDatabase } from './accounts-harness.js';

let db: TestDatabase;
let pool: pg.Pool;
let users: UsersStore;
let loggerService: StandIn;
let app: RunningApp;
let appWithLoggerDown: RunningApp;

/** The service as main.ts wires it, recording logins in the logger-service at `loggerUrl`. */
function startAuthentication(loggerUrl: string): Promise<RunningApp> {
  const logger = createLogger('authentication-service', { level: 'silent', pretty: false });
  const audit = loggerServiceAudit(new ServiceClient({ name: 'logger-service', baseUrl: loggerUrl, timeoutMs: 2_000 }));
  return startApp(createApp({ logger, authenticator: new Authenticator(users, audit, logger), accounts: accountsFor(pool) }));
}

beforeAll(async () => {
  db = await createTestDatabase();
  await prepareDatabase(db.url);
  pool = new pg.Pool({ connectionString: db.url });
  users = new UsersStore(pool);
  // logger-service's POST /log, stood in for: it takes every entry.
  loggerService = await startStandIn(() => envelope(202, 'logged'));
  app = await startAuthentication(loggerService.url);
  // An address where nothing listens.
  appWithLoggerDown = await startAuthentication(`http://127.0.0.1:${await freePort()}`);
});
afterAll(async () => {
  await Promise.all([app, appWithLoggerDown].map((a) => a?.close()));
  await loggerService?.close();
  await pool?.end();
  await db?.drop();
});

const uniqueEmail = () => `user-${randomUUID()}@example.com`;
const login = (email: string, password: string) => postJSON(`${app.url}/authenticate`, { email, password });

describe('POST /authenticate', () => {
  it('when the seeded admin logs in, answers 202 with the user and no password', async () => {
    const { status, body } = await login('admin@example.com', 'verysecret');
    expect(status).toBe(202);
    expect(body.error).toBe(false);
    expect(body.message).toBe('Logged in user admin@example.com');
    expect(body.data).toEqual({
      id: expect.any(Number),
      email: 'admin@example.com',
      first_name: 'Admin',
      last_name: 'User',
      active: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(JSON.stringify(body)).not.toMatch(/password|\$2[aby]\$/);
  });

  it("when the login succeeds, posts an authentication entry to the logger's /log, carrying the request id", async () => {
    const email = uniqueEmail();
    const requestId = `req-${randomUUID()}`;
    await addUser(users, { email, password: 'right-password', firstName: 'A', lastName: 'B', active: 1 });

    await postJSON(`${app.url}/authenticate`, { email, password: 'right-password' }, { 'content-type': 'application/json', 'x-request-id': requestId });

    const posted = loggerService.received.filter((request) => (request.body as { data?: string }).data === `${email} logged in`);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ method: 'POST', path: '/log', body: { name: 'authentication', data: `${email} logged in` } });
    expect(posted[0]!.headers['x-request-id']).toBe(requestId);
  });

  it('when the logger is down, the login still succeeds', async () => {
    const email = uniqueEmail();
    await addUser(users, { email, password: 'pw', firstName: 'A', lastName: 'B', active: 1 });

    const { status } = await postJSON(`${appWithLoggerDown.url}/authenticate`, { email, password: 'pw' });

    expect(status).toBe(202);
  });

  it('when the logger refuses the entry, the login still succeeds', async () => {
    const email = uniqueEmail();
    await addUser(users, { email, password: 'pw', firstName: 'A', lastName: 'B', active: 1 });
    loggerService.behave(() => envelope(503, 'MongoDB is unavailable'));
    try {
      const { status } = await login(email, 'pw');
      expect(status).toBe(202);
    } finally {
      loggerService.behave(() => envelope(202, 'logged'));
    }
  });

  it('when the password is wrong, answers 401 invalid credentials', async () => {
    const { status, body } = await login('admin@example.com', 'not-it');
    expect(status).toBe(401);
    expect(body).toEqual({ error: true, message: 'invalid credentials' });
  });

  it('when the email is unknown, answers the same 401 invalid credentials', async () => {
    const { status, body } = await login(uniqueEmail(), 'verysecret');
    expect(status).toBe(401);
    expect(body).toEqual({ error: true, message: 'invalid credentials' });
  });

  it('when the user is inactive and the password right, answers 403 user is not active', async () => {
    const email = uniqueEmail();
    await addUser(users, { email, password: 'pw', firstName: 'A', lastName: 'B', active: 0 });
    const right = await login(email, 'pw');
    expect(right.status).toBe(403);
    expect(right.body).toEqual({ error: true, message: 'user is not active' });
    const wrong = await login(email, 'other');
    expect(wrong.status).toBe(401);
  });

  it('when the email is not an address, answers 400 naming the field', async () => {
    const { status, body } = await postJSON(`${app.url}/authenticate`, { email: 'nope', password: 'x' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'email: must be an email address' });
  });
});

describe('schema and seed', () => {
  it('when the start-up runs again, and from two replicas at once, there is still one admin', async () => {
    const second = await prepareDatabase(db.url);
    const concurrent = await Promise.all([prepareDatabase(db.url), prepareDatabase(db.url)]);
    expect([second, ...concurrent].every((r) => r.seeded === false)).toBe(true);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM users WHERE email = 'admin@example.com'");
    expect(rows[0].n).toBe(1);
  });

  it('when the database is empty, two replicas starting together create one table and one admin', async () => {
    const fresh = await createTestDatabase();
    const freshPool = new pg.Pool({ connectionString: fresh.url });
    try {
      const results = await Promise.all([prepareDatabase(fresh.url), prepareDatabase(fresh.url)]);
      expect(results.filter((r) => r.seeded)).toHaveLength(1);
      const { rows } = await freshPool.query('SELECT email, user_active, length(password) AS len FROM users');
      expect(rows).toEqual([{ email: 'admin@example.com', user_active: 1, len: 60 }]);
    } finally {
      await freshPool.end();
      await fresh.drop();
    }
  });
});
