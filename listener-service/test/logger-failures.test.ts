import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOG_EXCHANGE } from '@go-micro/contracts';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { startListener, type RunningListener } from './listener-harness.js';

let vhost: TestVhost;
let logger: StandIn;
let listener: RunningListener;
let connection: amqplib.ChannelModel;
let channel: amqplib.ConfirmChannel;
const deadLetters = new Map<string, amqplib.ConsumeMessage>();

// A logger that fails on purpose, told by the entry's name how: "flaky-…" answers 503 to the first two
// posts of an event, "down-…" answers 503 always, "refused-…" answers 400; anything else is stored.
function failingLogger(): StandIn | Promise<StandIn> {
  const posts = new Map<string, number>();
  return startStandIn(({ body }) => {
    const { name = '', event_id: eventId = '' } = body as { name?: string; event_id?: string };
    const count = (posts.get(eventId) ?? 0) + 1;
    posts.set(eventId, count);
    if (name.startsWith('down-') || (name.startsWith('flaky-') && count <= 2)) return envelope(503, 'MongoDB is unavailable');
    if (name.startsWith('refused-')) return envelope(400, 'data: must be at most 64 KiB');
    return envelope(202, 'logged');
  });
}

beforeAll(async () => {
  vhost = await createTestVhost();
  logger = await failingLogger();
  listener = await startListener({ rabbitUrl: vhost.url, loggerUrl: logger.url, retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 } });
  connection = await amqplib.connect(vhost.url);
  channel = await connection.createConfirmChannel();
  await channel.consume('logs_listener.dead', (message) => message && deadLetters.set(message.properties.messageId, message), { noAck: true });
});
afterAll(async () => {
  await listener?.close();
  await connection?.close();
  await logger?.close();
  await vhost?.delete();
});

async function publish(name: string): Promise<string> {
  const messageId = randomUUID();
  channel.publish(LOG_EXCHANGE, 'log.INFO', Buffer.from(JSON.stringify({ name, data: 'x' })), { persistent: true, contentType: 'application/json', messageId });
  await channel.waitForConfirms();
  return messageId;
}

const postsOf = (eventId: string) => logger.received.filter((request) => (request.body as { event_id?: string }).event_id === eventId);
const deadLetter = (messageId: string) => vi.waitUntil(() => deadLetters.get(messageId), { timeout: 15_000, interval: 50 });

describe('listener when the logger fails', () => {
  it('when the logger answers 503 twice and then takes the event, posts it again after a delay until it is stored', async () => {
    const settledBefore = listener.consumer.status().settled;

    const messageId = await publish(uniqueName('flaky'));
    // Two failures each settle by a copy to the retry queue; the third post stores it.
    await vi.waitUntil(() => listener.consumer.status().settled >= settledBefore + 3, { timeout: 15_000, interval: 20 });

    expect(postsOf(messageId)).toHaveLength(3);
    expect(deadLetters.has(messageId)).toBe(false);
  });

  it('when the logger keeps answering 503, gives up after 3 tries and moves the event to the dead-letter queue naming the answer', async () => {
    const messageId = await publish(uniqueName('down'));

    const message = await deadLetter(messageId);

    expect(message.properties.headers).toMatchObject({
      'x-attempts': 3,
      'x-failure-reason': 'gave up after 3 tries: logger-service failed: MongoDB is unavailable',
    });
    expect(postsOf(messageId)).toHaveLength(3);
  });

  it('when the logger refuses the entry with a 400, moves it to the dead-letter queue at once, without retrying', async () => {
    const messageId = await publish(uniqueName('refused'));

    const message = await deadLetter(messageId);

    expect(message.properties.headers?.['x-failure-reason']).toBe('logger-service answered 400: data: must be at most 64 KiB');
    expect(message.properties.headers?.['x-attempts']).toBeUndefined();
    expect(postsOf(messageId)).toHaveLength(1);
  });
});
