import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { USER_EXCHANGE, USER_REGISTERED_KEY, userRegistered } from '@go-micro/contracts';
import { createLogger, runWithRequestId } from '@go-micro/toolkit';
import { freePort } from '@go-micro/testkit/free-port.js';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { OutboxPublisher } from '../src/outbox/outbox-publisher.js';
import { PasswordWork } from '../src/passwords/password-work.js';
import { Registration } from '../src/accounts/registration.js';
import { prepareDatabase } from './accounts-harness.js';

const logger = createLogger('authentication-service', { level: 'silent', pretty: false });

let db: TestDatabase;
let pool: pg.Pool;
let vhost: TestVhost;
let connection: amqplib.ChannelModel;
const received: amqplib.ConsumeMessage[] = [];

beforeAll(async () => {
  [db, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
  await prepareDatabase(db.url);
  pool = new pg.Pool({ connectionString: db.url });
  // What the mail service would consume: a queue of our own bound to user.registered.
  connection = await amqplib.connect(vhost.url);
  const channel = await connection.createChannel();
  await channel.assertExchange(USER_EXCHANGE, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, USER_EXCHANGE, USER_REGISTERED_KEY);
  await channel.consume(queue, (message) => message && received.push(message), { noAck: true });
});
afterAll(async () => {
  await connection?.close();
  await pool?.end();
  await Promise.allSettled([db?.drop(), vhost?.delete()]);
});

const startPublisher = (rabbitUrl = vhost.url, log = logger) => {
  const publisher = new OutboxPublisher({ pool, rabbitUrl, logger: log, pollMs: 100 });
  publisher.start();
  return publisher;
};
const signUp = (registration: Registration) =>
  registration.register({ email: `out-${randomUUID()}@example.com`, first_name: 'Out', last_name: 'Box', password: 'not-used-here-1' });
const deliveriesOf = (eventId: string) => received.filter((message) => message.properties.messageId === eventId);
const unsent = async (ids: string[]) => (await pool.query('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND id = ANY($1::uuid[])', [ids])).rows[0].n as number;

describe('outbox publisher', () => {
  it('when a user signs up, publishes user.registered persistently with the event id as messageId, and marks the row sent', async () => {
    const publisher = startPublisher();
    try {
      const registered = await signUp(new Registration(pool, () => publisher.kick()));

      const [message] = await vi.waitUntil(() => deliveriesOf(registered.event_id).length > 0 && deliveriesOf(registered.event_id), { timeout: 15_000, interval: 50 });

      expect(message!.fields.routingKey).toBe('user.registered');
      expect(message!.properties).toMatchObject({ deliveryMode: 2, contentType: 'application/json', messageId: registered.event_id });
      const event = userRegistered.parse(JSON.parse(message!.content.toString()));
      expect(event).toMatchObject({ event_id: registered.event_id, user_id: registered.user_id, email: registered.email, first_name: 'Out' });
      expect(message!.content.toString()).not.toMatch(/password/);
      await vi.waitUntil(async () => (await unsent([registered.event_id])) === 0, { timeout: 5_000, interval: 50 });
    } finally {
      await publisher.close();
    }
  });

  it("when a sign-up comes with a request id, the outbox keeps it and the message carries it as x-request-id and correlationId", async () => {
    const publisher = startPublisher();
    try {
      const requestId = `signup-${randomUUID()}`;
      const registered = await runWithRequestId(requestId, () => signUp(new Registration(pool, () => publisher.kick())));

      const [message] = await vi.waitUntil(() => deliveriesOf(registered.event_id).length > 0 && deliveriesOf(registered.event_id), { timeout: 15_000, interval: 50 });

      const stored = await pool.query('SELECT headers FROM outbox WHERE id = $1', [registered.event_id]);
      expect(stored.rows[0].headers).toEqual({ 'x-request-id': requestId });
      expect(message!.properties.headers).toMatchObject({ 'x-request-id': requestId });
      expect(message!.properties.correlationId).toBe(requestId);
    } finally {
      await publisher.close();
    }
  });

  it('when RabbitMQ cannot be reached, sign-ups stay in the outbox; a publisher that can reach it later sends each once', async () => {
    const stranded = startPublisher(`amqp://guest:guest@127.0.0.1:${await freePort()}`);
    const registration = new Registration(pool, () => stranded.kick());
    const ids = (await Promise.all([1, 2, 3].map(() => signUp(registration)))).map((r) => r.event_id);
    await stranded.close();
    expect(await unsent(ids)).toBe(3);

    const publisher = startPublisher();
    try {
      await vi.waitUntil(async () => (await unsent(ids)) === 0, { timeout: 15_000, interval: 50 });
      await vi.waitUntil(() => ids.every((id) => deliveriesOf(id).length > 0), { timeout: 5_000, interval: 50 });
      expect(ids.map((id) => deliveriesOf(id).length)).toEqual([1, 1, 1]);
    } finally {
      await publisher.close();
    }
  });

  it('when no queue takes user.registered yet (a new RabbitMQ, the mail service not up), the sign-up stays in the outbox and is sent once one is bound', async () => {
    const empty = await createTestVhost();
    const warnings: string[] = [];
    const publisher = startPublisher(empty.url, pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) }));
    const late = await amqplib.connect(empty.url);
    try {
      const { event_id } = await signUp(new Registration(pool, () => publisher.kick()));
      // RabbitMQ returned it: the round failed, saying why, and left the row unsent.
      await vi.waitUntil(() => warnings.some((line) => line.includes('no queue is bound to users_topic for user.registered')), { timeout: 15_000, interval: 50 });
      expect(await unsent([event_id])).toBe(1);

      const channel = await late.createChannel();
      const lateDeliveries: string[] = [];
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, USER_EXCHANGE, USER_REGISTERED_KEY);
      await channel.consume(queue, (message) => message && lateDeliveries.push(message.properties.messageId as string), { noAck: true });

      await vi.waitUntil(async () => (await unsent([event_id])) === 0, { timeout: 20_000, interval: 50 });
      await vi.waitUntil(() => lateDeliveries.includes(event_id), { timeout: 5_000, interval: 50 });
      expect(lateDeliveries.filter((id) => id === event_id)).toHaveLength(1);
    } finally {
      await publisher.close();
      await late.close();
      await empty.delete();
    }
  }, 40_000);

  it('when two replicas publish from the same outbox, each of 20 sign-ups is sent once', async () => {
    // 20 sign-ups at once is more bcrypt than the service admits (one batch of hashes per core, about 2 s waiting): let them all wait.
    const registration = new Registration(pool, undefined, new PasswordWork({ concurrency: 2, maxWaiting: 20, maxWaitMs: 30_000, refusalPauseMs: 500, signUpConcurrency: 2, signUpMaxWaiting: 20, signUpMaxWaitMs: 30_000 }));
    const ids = (await Promise.all(Array.from({ length: 20 }, () => signUp(registration)))).map((r) => r.event_id);

    const replicas = [startPublisher(), startPublisher()];
    try {
      await vi.waitUntil(async () => (await unsent(ids)) === 0, { timeout: 15_000, interval: 50 });
      await vi.waitUntil(() => ids.every((id) => deliveriesOf(id).length > 0), { timeout: 5_000, interval: 50 });
    } finally {
      await Promise.all(replicas.map((publisher) => publisher.close()));
    }
    expect(ids.map((id) => deliveriesOf(id).length)).toEqual(ids.map(() => 1));
  });
});
