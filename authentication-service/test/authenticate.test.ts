import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { Authenticator, type AuditLog } from '../src/authenticate.js';
import { UsersStore } from '../src/users-store.js';

let db: TestDatabase;
let pool: pg.Pool;
let users: UsersStore;
let app: RunningApp;
const audited: { name: string; data: string }[] = [];
let auditFails = false;

const audit: AuditLog = async (entry) => {
  if (auditFails) throw new Error('logger-service is unavailable');
  audited.push(entry);
};

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url });
  users = new UsersStore(pool);
  await users.migrate();
  const logger = createLogger('authentication-service', { level: 'silent', pretty: false });
  app = await startApp(createApp({ logger, authenticator: new Authenticator(users, audit, logger) }));
});
afterAll(async () => {
  await app?.close();
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

  it('when the login succeeds, records an authentication log entry', async () => {
    const email = uniqueEmail();
    await users.insert({ email, password: 'right-password', firstName: 'A', lastName: 'B', active: 1 });
    await login(email, 'right-password');
    expect(audited).toContainEqual({ name: 'authentication', data: `${email} logged in` });
  });

  it('when the logger is down, the login still succeeds', async () => {
    const email = uniqueEmail();
    await users.insert({ email, password: 'pw', firstName: 'A', lastName: 'B', active: 1 });
    auditFails = true;
    try {
      const { status } = await login(email, 'pw');
      expect(status).toBe(202);
    } finally {
      auditFails = false;
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
    await users.insert({ email, password: 'pw', firstName: 'A', lastName: 'B', active: 0 });
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
  it('when migrate runs again, and from two replicas at once, there is still one admin', async () => {
    const second = await users.migrate();
    const concurrent = await Promise.all([users.migrate(), users.migrate()]);
    expect([second, ...concurrent].every((r) => r.seeded === false)).toBe(true);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM users WHERE email = 'admin@example.com'");
    expect(rows[0].n).toBe(1);
  });

  it('when the database is empty, two replicas starting together create one table and one admin', async () => {
    const fresh = await createTestDatabase();
    const freshPool = new pg.Pool({ connectionString: fresh.url });
    try {
      const results = await Promise.all([new UsersStore(freshPool).migrate(), new UsersStore(freshPool).migrate()]);
      expect(results.filter((r) => r.seeded)).toHaveLength(1);
      const { rows } = await freshPool.query('SELECT email, user_active, length(password) AS len FROM users');
      expect(rows).toEqual([{ email: 'admin@example.com', user_active: 1, len: 60 }]);
    } finally {
      await freshPool.end();
      await fresh.drop();
    }
  });
});
