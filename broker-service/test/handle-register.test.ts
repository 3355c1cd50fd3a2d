import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { startBroker } from './broker-harness.js';

const sentEventId = randomUUID();
let auth: StandIn;
let mailService: StandIn;
let broker: RunningApp;

beforeAll(async () => {
  // authentication-service's POST /register as it answers: a new address is registered, a taken one is 409.
  auth = await startStandIn(({ path, body }) => {
    const { email } = body as { email?: string };
    if (path !== '/register') return envelope(404, 'not found');
    if (email === 'taken@example.com') return envelope(409, 'email is already registered');
    if (email === 'flood@example.com') return { ...envelope(429, 'too many sign-ups; try again in 120 s'), headers: { 'retry-after': '120' } };
    if (!email?.includes('@')) return envelope(400, 'email: must be an email address');
    return envelope(202, `Registered ${email}`, { user_id: 7, email, event_id: randomUUID() });
  });
  // mail-service's GET /welcome-mails/<event id>: one mail has gone out.
  mailService = await startStandIn(({ method, path }) => {
    if (method === 'GET' && path === `/welcome-mails/${sentEventId}`) {
      return envelope(200, 'welcome mail sent to new@example.com', { event_id: sentEventId, email: 'new@example.com', sent_at: '2026-01-01T00:00:00.000Z' });
    }
    return envelope(404, 'no welcome mail sent yet');
  });
  broker = await startBroker({ authUrl: auth.url, mailUrl: mailService.url });
});
afterAll(async () => {
  await broker?.close();
  await Promise.all([auth, mailService].map((s) => s?.close()));
});

const register = (fields: Record<string, unknown>) =>
  postJSON(`${broker.url}/handle`, { action: 'register', register: { first_name: 'Ada', last_name: 'Lovelace', password: 'analytical-1', ...fields } });

describe('broker POST /handle action register', () => {
  it("when the sign-up is new, posts it to authentication-service as is, with the client's address, and answers 202 Registered <email> with the event id", async () => {
    const email = `new-${randomUUID()}@example.com`;

    const { status, body } = await register({ email });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: `Registered ${email}`, data: { user_id: 7, email, event_id: expect.any(String) } });
    const forwarded = auth.received.find((request) => (request.body as { email?: string }).email === email);
    expect(forwarded).toMatchObject({
      method: 'POST',
      path: '/register',
      body: { email, first_name: 'Ada', last_name: 'Lovelace', password: 'analytical-1' },
    });
    // The authentication service limits sign-ups per client: it must see the page's address, not the broker's.
    expect(forwarded!.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it("when authentication-service answers 429 too many sign-ups, passes it on with its Retry-After", async () => {
    const { status, body, headers } = await register({ email: 'flood@example.com' });
    expect(status).toBe(429);
    expect(body).toEqual({ error: true, message: 'too many sign-ups; try again in 120 s' });
    expect(headers.get('retry-after')).toBe('120');
  });

  it('when the email is taken, passes on 409 email is already registered', async () => {
    const { status, body } = await register({ email: 'taken@example.com' });
    expect(status).toBe(409);
    expect(body).toEqual({ error: true, message: 'email is already registered' });
  });

  it("passes on authentication-service's 400 for a bad field", async () => {
    const { status, body } = await register({ email: 'nope' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'email: must be an email address' });
  });

  it('when a field is not a string, answers 400 naming it without calling authentication-service', async () => {
    const before = auth.received.length;
    const { status, body } = await register({ email: 'x@example.com', password: 42 });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'register.password: must be a string' });
    expect(auth.received.length).toBe(before);
  });
});

describe('broker POST /handle action welcome', () => {
  it('when the welcome mail has gone out, answers 200 Welcome mail sent to <email>', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'welcome', welcome: { event_id: sentEventId } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ error: false, message: 'Welcome mail sent to new@example.com', data: { event_id: sentEventId, sent: true } });
  });

  it('when it has not gone out yet, answers 200 no welcome mail sent yet with sent false (a poll is not a failed request)', async () => {
    const eventId = randomUUID();
    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'welcome', welcome: { event_id: eventId } });
    expect(status).toBe(200);
    expect(body).toEqual({ error: false, message: 'no welcome mail sent yet', data: { event_id: eventId, sent: false } });
  });

  it('when the event id is not one, answers 400 naming it', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'welcome', welcome: { event_id: '../send' } });
    expect(status).toBe(400);
    expect(body.message).toMatch(/^welcome\.event_id: /);
  });
});
