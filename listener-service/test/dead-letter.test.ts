import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOG_EXCHANGE } from '@go-micro/contracts';
import { freePort } from '@go-micro/testkit/free-port.js';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { startListener, type RunningListener } from './listener-harness.js';

let vhost: TestVhost;
let listener: RunningListener;
let connection: amqplib.ChannelModel;
let channel: amqplib.ConfirmChannel;
const deadLetters = new Map<string, amqplib.ConsumeMessage>();

beforeAll(async () => {
  vhost = await createTestVhost();
  // A logger address where nothing listens: every event that reaches the logger step fails.
  listener = await startListener({
    rabbitUrl: vhost.url,
    loggerUrl: `http://127.0.0.1:${await freePort()}`,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
  });
  connection = await amqplib.connect(vhost.url);
  channel = await connection.createConfirmChannel();
  await channel.consume('logs_listener.dead', (message) => message && deadLetters.set(message.properties.messageId, message), { noAck: true });
});
afterAll(async () => {
  await listener?.close();
  await connection?.close();
  await vhost?.delete();
});

/** Publishes raw bytes as the broker would, and returns the message id to look for. */
async function publishRaw(body: string): Promise<string> {
  const messageId = randomUUID();
  channel.publish(LOG_EXCHANGE, 'log.INFO', Buffer.from(body), { persistent: true, contentType: 'application/json', messageId });
  await channel.waitForConfirms();
  return messageId;
}

const deadLetter = (messageId: string) => vi.waitUntil(() => deadLetters.get(messageId), { timeout: 15_000, interval: 50 });

describe('listener dead-letter queue', () => {
  it('when a message is not JSON, moves it straight to the dead-letter queue and keeps consuming', async () => {
    const messageId = await publishRaw('this is not json');

    const message = await deadLetter(messageId);

    expect(message.content.toString()).toBe('this is not json');
    expect(message.properties.headers?.['x-failure-reason']).toBe('body is not valid JSON');
    expect(message.properties.headers?.['x-attempts']).toBeUndefined();
    expect(listener.consumer.status()).toMatchObject({ connected: true, consuming: true });
  });

  it('when a message is JSON but not {name, data}, moves it to the dead-letter queue naming the field', async () => {
    const messageId = await publishRaw('{"name":"event","data":42}');

    const message = await deadLetter(messageId);

    expect(message.properties.headers?.['x-failure-reason']).toBe('body is not {name, data}: data: must be a string');
  });

  it('when a message is larger than an event can be, moves it to the dead-letter queue unread', async () => {
    const messageId = await publishRaw(JSON.stringify({ name: 'event', data: 'x'.repeat(600 * 1024) }));

    const message = await deadLetter(messageId);

    expect(message.properties.headers?.['x-failure-reason']).toBe('body is larger than 524288 bytes');
  });

  it('when a message nests 100,000 levels deep, moves it to the dead-letter queue and keeps consuming', async () => {
    const messageId = await publishRaw(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

    const message = await deadLetter(messageId);

    expect(message.properties.headers?.['x-failure-reason']).toBe('body is not {name, data}: body: must be an object');
    expect(listener.consumer.status()).toMatchObject({ connected: true, consuming: true });
  });

  it('when the logger cannot be reached, retries with growing delays, then moves the event to the dead-letter queue', async () => {
    const started = Date.now();
    const messageId = await publishRaw(JSON.stringify({ name: 'event', data: randomUUID() }));

    const message = await deadLetter(messageId);

    expect(message.properties.headers).toMatchObject({
      'x-attempts': 3,
      'x-failure-reason': 'gave up after 3 tries: logger-service is unavailable',
    });
    expect(message.properties).toMatchObject({ deliveryMode: 2, contentType: 'application/json' });
    // Two waits in the retry queue, 100 ms then 200 ms: the event cannot reach the dead-letter queue sooner.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
