import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, ServiceClient } from '@go-micro/toolkit';
import { createApp as createAuthApp } from '../../authentication-service/src/app.js';
import { loggerServiceAudit } from '../../authentication-service/src/audit-log.js';
import { Authenticator } from '../../authentication-service/src/authenticate.js';
import { UsersStore } from '../../authentication-service/src/users-store.js';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { LogsReader, startLogger, type RunningLogger } from '../../logger-service/test/logger-harness.js';
import { startBroker } from './broker-harness.js';

let db: TestDatabase;
let pool: pg.Pool;
let users: UsersStore;
let ferret: FerretDB;
let reader: LogsReader;
let logger: RunningLogger;
let auth: RunningApp;
let broker: RunningApp;

beforeAll(async () => {
  [db, ferret] = await Promise.all([createTestDatabase(), startFerretDB()]);
  pool = new pg.Pool({ connectionString: db.url });
  users = new UsersStore(pool);
  await users.migrate();
  reader = new LogsReader(ferret.url);
  logger = await startLogger(ferret.url);

  // The audit the authentication service's main.ts wires: POST /log to the logger.
  const audit = loggerServiceAudit(new ServiceClient({ name: 'logger-service', baseUrl: logger.url, timeoutMs: 2_000 }));
  const quiet = createLogger('authentication-service', { level: 'silent', pretty: false });
  auth = await startApp(createAuthApp({ logger: quiet, authenticator: new Authenticator(users, audit, quiet) }));
  broker = await startBroker({ authUrl: auth.url });
});
afterAll(async () => {
  await broker?.close();
  await auth?.close();
  await logger?.close();
  await reader?.close();
  await pool?.end();
  await Promise.all([db?.drop(), ferret?.stop()]);
});

describe('a login through the broker', () => {
  it('when a user logs in, the authentication entry reaches MongoDB', async () => {
    const email = `user-${randomUUID()}@example.com`;
    await users.insert({ email, password: 'a-good-password', firstName: 'Log', lastName: 'Tester', active: 1 });

    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'auth', auth: { email, password: 'a-good-password' } });

    expect(status).toBe(202);
    expect(body.message).toBe('Authenticated!');
    const [entry, ...others] = await reader.waitForEntries({ name: 'authentication', data: `${email} logged in` });
    expect(others).toHaveLength(0);
    expect(entry!.created_at).toBeInstanceOf(Date);
  });

  it('when the password is wrong, no entry is written', async () => {
    const email = `user-${randomUUID()}@example.com`;
    await users.insert({ email, password: 'a-good-password', firstName: 'Log', lastName: 'Tester', active: 1 });

    const { status } = await postJSON(`${broker.url}/handle`, { action: 'auth', auth: { email, password: 'wrong' } });

    expect(status).toBe(401);
    expect(await reader.entries({ data: `${email} logged in` })).toHaveLength(0);
  });
});
