import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { createApp as createAuthApp } from '../../authentication-service/src/app.js';
import { Authenticator } from '../../authentication-service/src/authenticate.js';
import { UsersStore } from '../../authentication-service/src/users-store.js';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { startBroker } from './broker-harness.js';

const logger = createLogger('test', { level: 'silent', pretty: false });

let db: TestDatabase;
let pool: pg.Pool;
let auth: RunningApp;
let broker: RunningApp;
let brokerWithAuthDown: RunningApp;
let brokerWithSlowAuth: RunningApp;
let silentAuth: RunningApp;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url });
  const users = new UsersStore(pool);
  await users.migrate();
  auth = await startApp(createAuthApp({ logger, authenticator: new Authenticator(users, async () => undefined, logger) }));
  broker = await startBroker({ authUrl: auth.url });

  // An address where nothing listens: a started-then-closed server's port.
  const closed = await startApp(createAuthApp({ logger, authenticator: new Authenticator(users, async () => undefined, logger) }));
  await closed.close();
  brokerWithAuthDown = await startBroker({ authUrl: closed.url });

  // A real authentication service whose every request is held back past the broker's timeout.
  const { default: express } = await import('express');
  const stalled = express();
  stalled.use((_req, _res, next) => setTimeout(next, 3_000));
  stalled.use(createAuthApp({ logger, authenticator: new Authenticator(users, async () => undefined, logger) }));
  silentAuth = await startApp(stalled);
  brokerWithSlowAuth = await startBroker({ authUrl: silentAuth.url, timeoutMs: 300 });
});
afterAll(async () => {
  await Promise.all([broker, brokerWithAuthDown, brokerWithSlowAuth, silentAuth, auth].map((a) => a?.close()));
  await pool?.end();
  await db?.drop();
});

describe('broker POST /', () => {
  it('when posted with no body, answers Hit the broker', async () => {
    const { status, body } = await postJSON(`${broker.url}/`);
    expect(status).toBe(200);
    expect(body).toEqual({ error: false, message: 'Hit the broker' });
  });

  it("answers a page's preflight with the course's CORS settings", async () => {
    const response = await fetch(`${broker.url}/handle`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8081', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:8081');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-max-age')).toBe('300');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT,DELETE,OPTIONS');
  });
});

describe('broker POST /handle action auth', () => {
  const authRequest = (password: string) => ({ action: 'auth', auth: { email: 'admin@example.com', password } });

  it('when the credentials are right, answers 202 Authenticated! with the user and no password', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, authRequest('verysecret'));
    expect(status).toBe(202);
    expect(body.error).toBe(false);
    expect(body.message).toBe('Authenticated!');
    expect(body.data).toMatchObject({ email: 'admin@example.com', first_name: 'Admin', last_name: 'User', active: 1 });
    expect(body.data).not.toHaveProperty('password');
  });

  it('when the password is wrong, answers 401 invalid credentials', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, authRequest('wrong'));
    expect(status).toBe(401);
    expect(body).toEqual({ error: true, message: 'invalid credentials' });
  });

  it('when the authentication service is down, answers 503 naming it, without hanging', async () => {
    const { status, body } = await postJSON(`${brokerWithAuthDown.url}/handle`, authRequest('verysecret'));
    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'authentication-service is unavailable' });
  });

  it('when the authentication service is too slow, answers 504 naming it', async () => {
    const { status, body } = await postJSON(`${brokerWithSlowAuth.url}/handle`, authRequest('verysecret'));
    expect(status).toBe(504);
    expect(body).toEqual({ error: true, message: 'authentication-service did not answer in time' });
  });

  it('when the auth payload is missing, answers 400 naming it', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'auth' });
    expect(status).toBe(400);
    expect(body.message).toMatch(/^auth: /);
  });
});

describe('broker POST /handle validation', () => {
  it('when the action is unknown, answers 400 unknown action', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'dance' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'unknown action' });
  });

  it('when the action is missing, answers 400 naming it', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, { auth: {} });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'action: must be a string' });
  });

  it('when the log payload lacks a name, answers 400 naming log.name', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'log', log: { data: 'x' } });
    expect(status).toBe(400);
    expect(body.message).toBe('log.name: must be a string');
  });
});
