import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { startBroker } from './broker-harness.js';

// authentication-service as it answers, stood in for: the seeded admin logs in, anyone else is refused.
const admin = {
  id: 1,
  email: 'admin@example.com',
  first_name: 'Admin',
  last_name: 'User',
  active: 1,
  created_at: '2022-03-14T00:00:00Z',
  updated_at: '2022-03-14T00:00:00Z',
};

let auth: StandIn;
let stalledAuth: StandIn;
let broker: RunningApp;
let brokerWithAuthDown: RunningApp;
let brokerWithSlowAuth: RunningApp;

beforeAll(async () => {
  auth = await startStandIn(({ path, body }) => {
    const { email, password } = body as { email?: string; password?: string };
    if (path !== '/authenticate') return envelope(404, 'not found');
    if (email === 'broken@example.com') return envelope(500, 'internal error');
    if (email === 'nodb@example.com') return envelope(503, 'Postgres is unavailable');
    if (email === 'flood@example.com') return { ...envelope(429, 'too many login attempts; try again in 30 s'), headers: { 'retry-after': '30' } };
    if (email === admin.email && password === 'verysecret') return envelope(202, `Logged in user ${email}`, admin);
    return envelope(401, 'invalid credentials');
  });
  broker = await startBroker({ authUrl: auth.url });

  // An address where nothing listens.
  brokerWithAuthDown = await startBroker({ authUrl: `http://127.0.0.1:${await freePort()}` });

  // An authentication service that takes every request and never answers.
  stalledAuth = await startStandIn(() => new Promise(() => {}));
  brokerWithSlowAuth = await startBroker({ authUrl: stalledAuth.url, timeoutMs: 300 });
});
afterAll(async () => {
  await Promise.all([broker, brokerWithAuthDown, brokerWithSlowAuth].map((a) => a?.close()));
  await Promise.all([auth, stalledAuth].map((s) => s?.close()));
});

describe('broker POST /', () => {
  it('when posted with no body, answers Hit the broker', async () => {
    const { status, body } = await postJSON(`${broker.url}/`);
    expect(status).toBe(200);
    expect(body).toEqual({ error: false, message: 'Hit the broker' });
  });

  it("answers the test page's preflight with the course's CORS settings, without credentials", async () => {
    const response = await fetch(`${broker.url}/handle`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8081', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:8081');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('access-control-max-age')).toBe('300');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT,DELETE,OPTIONS');
  });

  it('when a page of another origin asks, is not allowed to read the reply', async () => {
    const response = await fetch(`${broker.url}/handle`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('broker POST /handle action auth', () => {
  const authRequest = (password: string, email = 'admin@example.com') => ({ action: 'auth', auth: { email, password } });

  it('when the credentials are right, posts them to authentication-service and answers 202 Authenticated! with the user it sent back', async () => {
    const requestId = `req-${crypto.randomUUID()}`;

    const { status, body } = await postJSON(`${broker.url}/handle`, authRequest('verysecret'), {
      'content-type': 'application/json',
      'x-request-id': requestId,
    });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'Authenticated!', data: admin });
    expect(body.data).not.toHaveProperty('password');
    const forwarded = auth.received.find((request) => request.headers['x-request-id'] === requestId);
    expect(forwarded).toMatchObject({ method: 'POST', path: '/authenticate', body: { email: 'admin@example.com', password: 'verysecret' } });
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

  it('when the authentication service fails with a 500, answers 502 naming it', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, authRequest('whatever', 'broken@example.com'));
    expect(status).toBe(502);
    expect(body).toEqual({ error: true, message: 'authentication-service failed: internal error' });
  });

  it("when the authentication service's database is down, answers 503 with its words", async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, authRequest('whatever', 'nodb@example.com'));
    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'authentication-service failed: Postgres is unavailable' });
  });

  it('when the authentication service refuses a flood with 429, passes the 429 and its Retry-After on', async () => {
    const { status, body, headers } = await postJSON(`${broker.url}/handle`, authRequest('whatever', 'flood@example.com'));
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('30');
    expect(body).toEqual({ error: true, message: 'too many login attempts; try again in 30 s' });
  });

  it("passes the client's address on as X-Forwarded-For, so logins are limited per client", async () => {
    const requestId = `req-${crypto.randomUUID()}`;
    await postJSON(`${broker.url}/handle`, authRequest('wrong'), { 'content-type': 'application/json', 'x-request-id': requestId });
    const forwarded = auth.received.find((request) => request.headers['x-request-id'] === requestId);
    expect(forwarded?.headers['x-forwarded-for']).toBe('127.0.0.1');
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
