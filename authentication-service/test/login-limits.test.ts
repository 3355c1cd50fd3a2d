import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { accountsFor } from './accounts-harness.js';
import { Authenticator } from '../src/authenticate.js';
import { LoginLimits } from '../src/login-limits.js';
import { UsersStore } from '../src/users-store.js';

let db: TestDatabase;
const pools: pg.Pool[] = [];
let replicas: RunningApp[] = [];
let users: UsersStore;

/** One replica of the service, on its own pool, as main.ts wires it: the counts are shared only through Postgres. */
async function startReplica(): Promise<RunningApp> {
  const pool = new pg.Pool({ connectionString: db.url });
  pools.push(pool);
  const store = new UsersStore(pool);
  const limits = new LoginLimits(pool, { perAddressPerMinute: 6, failuresPerEmail: 3 });
  await limits.migrate();
  const logger = createLogger('authentication-service', { level: 'silent', pretty: false });
  return startApp(createApp({ logger, authenticator: new Authenticator(store, async () => undefined, logger, limits), accounts: accountsFor(pool) }));
}

beforeAll(async () => {
  db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url });
  pools.push(pool);
  users = new UsersStore(pool);
  await users.migrate();
  replicas = [await startReplica(), await startReplica()];
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await Promise.all(pools.map((p) => p.end()));
  await db?.drop();
});

async function newUser(): Promise<string> {
  const email = `limit-${randomUUID()}@example.com`;
  await users.insert({ email, password: 'right-password', firstName: 'L', lastName: 'T', active: 1 });
  return email;
}

/** A login through replica `n` from client address `address` (as the broker passes it on). */
const login = (n: number, email: string, password: string, address: string) =>
  postJSON(`${replicas[n]!.url}/authenticate`, { email, password }, { 'content-type': 'application/json', 'x-forwarded-for': address });

describe('login limits, counted in Postgres', () => {
  it('when one email takes too many wrong passwords, across replicas and addresses, answers 429 with Retry-After, even to the right one', async () => {
    const email = await newUser();

    const wrong = [];
    for (let i = 0; i < 3; i++) wrong.push((await login(i % 2, email, 'wrong', `10.1.0.${i}`)).status);
    const refused = await login(1, email, 'right-password', '10.1.0.9');

    expect(wrong).toEqual([401, 401, 401]);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: true, message: expect.stringMatching(/^too many login attempts; try again in \d+ s$/) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
  });

  it('when the right password comes before the limit, the wrong ones are forgotten', async () => {
    const email = await newUser();

    for (let i = 0; i < 2; i++) await login(0, email, 'wrong', '10.2.0.1');
    expect((await login(1, email, 'right-password', '10.2.0.2')).status).toBe(202);
    const after = [];
    for (let i = 0; i < 2; i++) after.push((await login(0, email, 'wrong', '10.2.0.3')).status);

    expect(after).toEqual([401, 401]);
  });

  it('when one address tries too many logins a minute, across replicas and emails, answers 429 before comparing any password', async () => {
    const address = `10.3.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await login(i % 2, `nobody-${i}@example.com`, 'x', address)).status);

    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    // Another address is not affected.
    expect((await login(0, 'nobody@example.com', 'x', '10.3.255.1')).status).toBe(401);
  });
});
