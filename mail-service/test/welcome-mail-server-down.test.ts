import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMailCatcher, type MailCatcher } from '@go-micro/testkit/mail-catcher.js';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { publishRegistered, registeredEvent, startMailService, type RunningWelcome } from './welcome-harness.js';

// A Mailpit of this file's own: the test stops it and starts it again.
let catcher: MailCatcher;
let db: TestDatabase;
let vhost: TestVhost;
let mail: RunningWelcome;
let connection: amqplib.ChannelModel;
let channel: amqplib.ConfirmChannel;

beforeAll(async () => {
  [db, vhost, catcher] = await Promise.all([createTestDatabase(), createTestVhost(), startMailCatcher()]);
  mail = await startMailService({ rabbitUrl: vhost.url, databaseUrl: db.url, smtp: { host: catcher.smtpHost, port: catcher.smtpPort } });
  connection = await amqplib.connect(vhost.url);
  channel = await connection.createConfirmChannel();
});
afterAll(async () => {
  await mail?.close();
  await connection?.close();
  await catcher?.stop();
  await Promise.allSettled([db?.drop(), vhost?.delete()]);
});

describe('welcome mail when the mail server is away', () => {
  it('keeps the event and retries it with backoff, and the mail goes out, once, when the server is back', async () => {
    const { smtpPort, httpPort } = catcher;
    await catcher.stop();
    const event = registeredEvent();
    const settledBefore = mail.consumer.status().settled;

    await publishRegistered(channel, event);
    // Two failed tries at least, each settled by a copy to the retry queue.
    await vi.waitUntil(() => mail.consumer.status().settled >= settledBefore + 2, { timeout: 20_000, interval: 50 });
    expect((await mail.pool.query('SELECT count(*)::int AS n FROM welcome_mails WHERE sent_at IS NOT NULL AND event_id = $1', [event.event_id])).rows[0].n).toBe(0);
    catcher = await startMailCatcher({ smtpPort, httpPort });

    const caught = await catcher.waitForMessage((m) => m.to.some((a) => a.address === event.email), 30_000);
    expect(caught.subject).toBe('Welcome! Your account is ready');
    await vi.waitUntil(async () => (await fetch(`${mail.url}/welcome-mails/${event.event_id}`)).status === 200, { timeout: 10_000, interval: 100 });
    expect((await catcher.listMessages()).filter((m) => m.to.some((a) => a.address === event.email))).toHaveLength(1);
  });
});
