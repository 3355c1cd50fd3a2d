import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SharedMailCatcher } from '@go-micro/testkit/mail-catcher.js';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { publishRegistered, registeredEvent, startMailService, type RunningWelcome } from './welcome-harness.js';

let db: TestDatabase;
let vhost: TestVhost;
let catcher: SharedMailCatcher;
let mail: RunningWelcome;
let connection: amqplib.ChannelModel;
let channel: amqplib.ConfirmChannel;
const deadLetters = new Map<string, amqplib.ConsumeMessage>();

beforeAll(async () => {
  [db, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
  catcher = sharedMailCatcher();
  mail = await startMailService({ rabbitUrl: vhost.url, databaseUrl: db.url, smtp: { host: catcher.smtpHost, port: catcher.smtpPort } });
  connection = await amqplib.connect(vhost.url);
  channel = await connection.createConfirmChannel();
  await channel.consume('mail_welcome.dead', (message) => message && deadLetters.set(message.properties.messageId, message), { noAck: true });
});
afterAll(async () => {
  await mail?.close();
  await connection?.close();
  await Promise.allSettled([db?.drop(), vhost?.delete()]);
});

const mailsTo = async (to: string) => (await catcher.listMessages()).filter((m) => m.to.some((a) => a.address === to));
const rawSource = async (id: string) =>
  (await fetch(`${catcher.apiUrl}/api/v1/message/${encodeURIComponent(id)}/raw`, { signal: AbortSignal.timeout(5_000) })).text();

describe('welcome mail for user.registered', () => {
  it('when a sign-up is published, mails the user a welcome with a fixed subject, in HTML (CSS inlined) and plain text, from FROM_NAME, its Message-ID made from the event id', async () => {
    const event = registeredEvent();

    await publishRegistered(channel, event);

    const caught = await catcher.waitForMessage((m) => m.to.some((a) => a.address === event.email), 15_000);
    expect(caught.subject).toBe('Welcome! Your account is ready');
    expect(caught.from).toEqual({ name: 'John Smith', address: 'john.smith@example.com' });
    expect(caught.html).toContain('Welcome, Ada Lovelace!');
    expect(caught.html).toContain(event.email);
    expect(caught.html).not.toMatch(/<style/i);
    expect(caught.html).toMatch(/<p class="greeting" style="[^"]*font-weight: bold/);
    expect(caught.text).toMatch(/^Welcome, Ada Lovelace!/);
    const raw = await rawSource(caught.id);
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/im);
    expect(raw).toMatch(new RegExp(`^Message-ID: <welcome-${event.event_id}@mail\\.test>`, 'im'));
  });

  it("when the user's name (stored before names were restricted) looks like markup or a message, the subject leaves it out, the HTML part shows it escaped and the text part as typed", async () => {
    const event = registeredEvent({ first_name: '<b>Bobby</b>', last_name: `Tables"; <script>alert(1)</script> & Co, your parcel is held, pay at https://evil.example/pay` });

    await publishRegistered(channel, event);

    const caught = await catcher.waitForMessage((m) => m.to.some((a) => a.address === event.email), 15_000);
    expect(caught.subject).toBe('Welcome! Your account is ready');
    expect(caught.html).not.toContain('<b>Bobby');
    expect(caught.html).not.toContain('<script>');
    expect(caught.html).toContain('&lt;b&gt;Bobby&lt;/b&gt;');
    expect(caught.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(caught.text).toContain(`Welcome, <b>Bobby</b> Tables"; <script>alert(1)</script> & Co, your parcel is held, pay at https://evil.example/pay!`);
  });

  it('when the same event comes twice (republished after a crash, or redelivered), mails once', async () => {
    const event = registeredEvent();
    const settledBefore = mail.consumer.status().settled;

    await publishRegistered(channel, event);
    await publishRegistered(channel, event);
    await vi.waitUntil(() => mail.consumer.status().settled >= settledBefore + 2, { timeout: 15_000, interval: 50 });

    expect(await mailsTo(event.email)).toHaveLength(1);
    const { rows } = await mail.pool.query('SELECT email, sent_at FROM welcome_mails WHERE event_id = $1', [event.event_id]);
    expect(rows).toEqual([{ email: event.email, sent_at: expect.any(Date) }]);
  });

  it('answers GET /welcome-mails/<event id> with 200 once the mail is sent, 404 before and for an unknown id', async () => {
    const event = registeredEvent();
    const before = await fetch(`${mail.url}/welcome-mails/${event.event_id}`);
    expect(before.status).toBe(404);
    expect(await before.json()).toEqual({ error: true, message: 'no welcome mail sent yet' });

    await publishRegistered(channel, event);

    const after = await vi.waitUntil(async () => {
      const response = await fetch(`${mail.url}/welcome-mails/${event.event_id}`);
      return response.status === 200 && ((await response.json()) as { message: string; data: unknown });
    }, { timeout: 15_000, interval: 100 });
    expect(after).toEqual({ error: false, message: `welcome mail sent to ${event.email}`, data: { event_id: event.event_id, email: event.email, sent_at: expect.any(String) } });
    expect((await fetch(`${mail.url}/welcome-mails/not%20an%20id`)).status).toBe(404);
  });

  it.each([
    ['not JSON', 'this is not json', 'body is not valid JSON'],
    ['not the event', JSON.stringify({ email: 'x@example.com' }), 'body is not a user.registered event'],
  ])('when a message is %s, moves it to mail_welcome.dead and sends nothing', async (_case, body, reason) => {
    const messageId = crypto.randomUUID();

    await publishRegistered(channel, body, messageId);

    const message = await vi.waitUntil(() => deadLetters.get(messageId), { timeout: 15_000, interval: 50 });
    expect(message.content.toString()).toBe(body);
    expect(message.properties.headers?.['x-failure-reason']).toBe(reason);
  });
});
