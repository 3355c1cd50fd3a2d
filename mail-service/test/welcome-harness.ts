import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import pg from 'pg';
import { USER_EXCHANGE, USER_REGISTERED_KEY, type UserRegistered } from '@go-micro/contracts';
import { createLogger } from '@go-micro/toolkit';
import { queueNames, QueueConsumer } from '@go-micro/toolkit/queue';
import { startApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { Mailer } from '../src/mailer.js';
import { migrateDatabase } from '../src/migrations.js';
import { loadTemplates, loadWelcomeTemplates } from '../src/templates.js';
import { declareWelcomeTopology, welcome } from '../src/welcome.js';
import { WelcomeStore } from '../src/welcome-store.js';

export interface WelcomeOptions {
  rabbitUrl: string;
  databaseUrl: string;
  smtp: { host: string; port: number };
}

export interface RunningWelcome {
  url: string;
  consumer: QueueConsumer;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** The mail service in this process, wired as main.ts wires it (HTTP and the welcome consumer), with short retry delays. */
export async function startMailService(options: WelcomeOptions): Promise<RunningWelcome> {
  const logger = createLogger('mail-service', { level: 'silent', pretty: false });
  const settings = {
    host: options.smtp.host, port: options.smtp.port, encryption: 'none' as const, username: '', password: '',
    domain: 'mail.test', fromAddress: 'john.smith@example.com', fromName: 'John Smith', timeoutMs: 3_000, maxConnections: 5,
  };
  const [render, renderWelcome] = await Promise.all([loadTemplates(), loadWelcomeTemplates()]);
  const mailer = new Mailer(settings, render, logger);
  await migrateDatabase(options.databaseUrl, logger);
  const pool = new pg.Pool({ connectionString: options.databaseUrl });
  const store = new WelcomeStore(pool);
  const queues = queueNames('mail_welcome');
  const consumer = new QueueConsumer({
    name: 'welcome',
    url: options.rabbitUrl,
    queues,
    prefetch: 5,
    retry: { maxAttempts: 100, baseDelayMs: 100, maxDelayMs: 1_000 },
    logger,
    topology: (channel) => declareWelcomeTopology(channel, queues),
    handle: (message) => welcome(message.content, { store, render: renderWelcome, deliver: mailer.deliver, fromName: 'John Smith', logger }),
  });
  consumer.start();
  await consumer.ready();
  const app = await startApp(createApp({ logger, sendMail: mailer.send, welcomeMails: store }));
  return {
    url: app.url,
    consumer,
    pool,
    close: async () => {
      await app.close();
      await consumer.close();
      mailer.close();
      await pool.end();
    },
  };
}

/** A user.registered event as the authentication service's outbox publishes it. */
export function registeredEvent(overrides: Partial<UserRegistered> = {}): UserRegistered {
  return {
    event_id: randomUUID(),
    user_id: Math.floor(Math.random() * 1e6) + 1,
    email: `new-${randomUUID()}@example.com`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    registered_at: new Date().toISOString(),
    ...overrides,
  };
}

/** Publishes on users_topic as the outbox publisher does (persistent JSON, the event id as messageId), and waits for the confirm. */
export async function publishRegistered(channel: amqplib.ConfirmChannel, event: UserRegistered | string, messageId?: string): Promise<void> {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const id = messageId ?? (typeof event === 'string' ? randomUUID() : event.event_id);
  channel.publish(USER_EXCHANGE, USER_REGISTERED_KEY, Buffer.from(body), { persistent: true, contentType: 'application/json', messageId: id });
  await channel.waitForConfirms();
}
