import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { startMailCatcher, type MailCatcher } from '@go-micro/testkit/mail-catcher.js';
import { sharedFerretDB } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';

// broker → authentication (users + outbox) → RabbitMQ → mail-service → Mailpit, as processes.
// A Mailpit of this file's own: a test stops it and starts it again.
let catcher: MailCatcher;
let system: System;
let db: pg.Pool;

beforeAll(async () => {
  catcher = await startMailCatcher();
  system = await startSystem({
    services: ['logger', 'authentication', 'mail', 'broker'],
    mongo: sharedFerretDB(),
    mail: catcher,
    // Every sign-up here comes from this machine's one address: more than the 5 per 10 minutes a client may make.
    env: { mail: { RETRY_DELAY_MS: '200', RETRY_MAX_DELAY_MS: '2000' }, authentication: { OUTBOX_POLL_MS: '200', SIGNUP_PER_ADDRESS: '100' } },
  });
  db = new pg.Pool({ connectionString: system.database.url });
}, 120_000);
afterAll(async () => {
  await db?.end();
  await system?.shutdown();
  await catcher?.stop();
});

const newEmail = () => `${uniqueName('signup')}@example.com`;
const register = (fields: Record<string, string> = {}) =>
  postJSON(`${system.brokerUrl}/handle`, { action: 'register', register: { email: newEmail(), first_name: 'Ada', last_name: 'Lovelace', password: 'analytical-1', ...fields } });
const welcomeTo = (email: string, timeoutMs = 20_000) => catcher.waitForMessage((m) => m.to.some((a) => a.address === email), timeoutMs);
const mailsTo = async (email: string) => (await catcher.listMessages()).filter((m) => m.to.some((a) => a.address === email)).length;
const unsentEvents = async (emails: string[]) =>
  (await db.query("SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND payload->>'email' = ANY($1)", [emails])).rows[0].n as number;

describe('sign-up through the broker', () => {
  it('answers 202 Registered <email>, the user can log in, the welcome mail reaches the catcher in HTML and text, and the broker says so', async () => {
    const email = newEmail();

    const { status, body } = await register({ email, first_name: 'Zoë', last_name: "O'Hara" });

    expect(status).toBe(202);
    expect(body).toMatchObject({ error: false, message: `Registered ${email}`, data: { email, event_id: expect.any(String) } });
    const login = await postJSON(`${system.brokerUrl}/handle`, { action: 'auth', auth: { email, password: 'analytical-1' } });
    expect(login.body.message).toBe('Authenticated!');
    const mail = await welcomeTo(email);
    // The subject is the service's own words; the body greets by name, escaped in HTML.
    expect(mail.subject).toBe('Welcome! Your account is ready');
    expect(mail.html).toContain('Welcome, Zoë O&#x27;Hara!');
    expect(mail.text).toContain("Welcome, Zoë O'Hara!");
    const { event_id: eventId } = body.data as { event_id: string };
    await expect
      .poll(async () => (await postJSON(`${system.brokerUrl}/handle`, { action: 'welcome', welcome: { event_id: eventId } })).body, { timeout: 10_000 })
      .toMatchObject({ error: false, message: `Welcome mail sent to ${email}` });
  });

  it('when the email is taken, answers 409 email is already registered and sends no second mail', async () => {
    const email = newEmail();
    await register({ email });
    await welcomeTo(email);

    const { status, body } = await register({ email, first_name: 'Someone Else' });

    expect(status).toBe(409);
    expect(body).toEqual({ error: true, message: 'email is already registered' });
    expect(await mailsTo(email)).toBe(1);
  });

  it('when the input is bad, answers 400 naming the field', async () => {
    const { status, body } = await register({ password: 'short' });
    expect(status).toBe(400);
    expect(body.message).toMatch(/^password: must be at least 10 characters/);
  });

  it('when a name carries a link, answers 400 and mails nothing', async () => {
    const email = newEmail();
    const { status, body } = await register({ email, first_name: 'Your parcel is held, pay at https://evil.example/pay' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'first_name: may hold only letters, spaces, apostrophes, hyphens and periods' });
    expect(await mailsTo(email)).toBe(0);
  });
});

describe('sign-up when things fail', () => {
  it('when the mail catcher is down, sign-ups still answer 202, and their mails go out once it is back', async () => {
    const { smtpPort, httpPort } = catcher;
    await catcher.stop();
    const emails = [newEmail(), newEmail()];

    const replies = await Promise.all(emails.map((email) => register({ email })));

    expect(replies.map((r) => r.status)).toEqual([202, 202]);
    // The events left the outbox: they wait in the mail service's queue, not in the sign-up.
    await vi.waitUntil(async () => (await unsentEvents(emails)) === 0, { timeout: 15_000, interval: 100 });
    catcher = await startMailCatcher({ smtpPort, httpPort });
    for (const email of emails) await welcomeTo(email, 30_000);
    expect(await Promise.all(emails.map(mailsTo))).toEqual([1, 1]);
  });

  it('when the authentication service is killed with sign-ups still in its outbox, they are mailed once after it restarts', async () => {
    // Restarted with RabbitMQ out of reach, so its publisher can send nothing: the sign-ups stay in the outbox.
    await system.stop('authentication');
    await system.start('authentication', 0, { RABBIT_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}` });
    const emails = [newEmail(), newEmail(), newEmail()];
    const replies = await Promise.all(emails.map((email) => register({ email })));
    expect(replies.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(await unsentEvents(emails)).toBe(3);

    // A crash, not a shutdown: no chance to finish anything.
    process.kill(system.process('authentication')!.pid!, 'SIGKILL');
    expect(await system.stop('authentication')).toBeNull();
    await system.start('authentication');

    for (const email of emails) await welcomeTo(email, 30_000);
    await vi.waitUntil(async () => (await unsentEvents(emails)) === 0, { timeout: 15_000, interval: 100 });
    expect(await Promise.all(emails.map(mailsTo))).toEqual([1, 1, 1]);
  });
});
