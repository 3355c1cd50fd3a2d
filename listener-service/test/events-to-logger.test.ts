import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOG_EXCHANGE } from '@go-micro/contracts';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { envelope, startStandIn, type ReceivedRequest, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { startListener, type RunningListener } from './listener-harness.js';

let vhost: TestVhost;
let logger: StandIn;
let listeners: RunningListener[];
let connection: amqplib.ChannelModel;
let channel: amqplib.ConfirmChannel;

beforeAll(async () => {
  vhost = await createTestVhost();
  // logger-service's POST /log, stood in for: it takes every entry.
  logger = await startStandIn(() => envelope(202, 'logged'));
  // Two replicas on the same named queue, as swarm runs them.
  listeners = [
    await startListener({ rabbitUrl: vhost.url, loggerUrl: logger.url }),
    await startListener({ rabbitUrl: vhost.url, loggerUrl: logger.url }),
  ];
  connection = await amqplib.connect(vhost.url);
  channel = await connection.createConfirmChannel();
});
afterAll(async () => {
  await Promise.all((listeners ?? []).map((listener) => listener.close()));
  await connection?.close();
  await logger?.close();
  await vhost?.delete();
});

/** Publishes an event the way the broker does (persistent JSON, its id as messageId, the request id in a header) and waits for the confirm. */
async function publish(entry: { name: string; data: string }, { requestId = uniqueName('req'), routingKey = 'log.INFO' } = {}): Promise<string> {
  const messageId = randomUUID();
  channel.publish(LOG_EXCHANGE, routingKey, Buffer.from(JSON.stringify(entry)), {
    persistent: true,
    contentType: 'application/json',
    messageId,
    correlationId: requestId,
    headers: { 'x-request-id': requestId },
  });
  await channel.waitForConfirms();
  return messageId;
}

const settled = () => listeners.reduce((sum, listener) => sum + listener.consumer.status().settled, 0);
const postsOf = (eventId: string): ReceivedRequest[] => logger.received.filter((request) => (request.body as { event_id?: string }).event_id === eventId);

describe('listener: RabbitMQ → logger-service', () => {
  it("when the broker's event arrives, posts it once to the logger's /log with its name, data and event id, carrying the request id", async () => {
    const name = uniqueName('event');
    const requestId = uniqueName('req');
    const settledBefore = settled();

    const messageId = await publish({ name, data: 'through the queue' }, { requestId });
    await vi.waitUntil(() => settled() > settledBefore, { timeout: 15_000, interval: 20 });

    const posts = postsOf(messageId);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ method: 'POST', path: '/log', body: { name, data: 'through the queue', event_id: messageId } });
    expect(posts[0]!.headers['x-request-id']).toBe(requestId);
  });

  it('when two replicas consume the same queue, each event is posted once and both take a share', async () => {
    const before = listeners.map((listener) => listener.consumer.status().settled);
    const settledBefore = settled();

    const ids = await Promise.all(Array.from({ length: 20 }, () => publish({ name: uniqueName('compete'), data: 'x' })));
    await vi.waitUntil(() => settled() >= settledBefore + ids.length, { timeout: 15_000, interval: 20 });

    expect(ids.map((id) => postsOf(id).length)).toEqual(ids.map(() => 1));
    const shares = listeners.map((listener, i) => listener.consumer.status().settled - before[i]!);
    expect(shares.every((share) => share > 0)).toBe(true);
  });

  it('when an auth event arrives on log.WARNING without an id, it is posted to the logger too', async () => {
    const data = uniqueName('auth-event');
    const connection = await amqplib.connect(vhost.url);
    const plain = await connection.createConfirmChannel();

    plain.publish(LOG_EXCHANGE, 'log.WARNING', Buffer.from(JSON.stringify({ name: 'auth', data })), { persistent: true });
    await plain.waitForConfirms();
    await connection.close();

    const posted = await vi.waitUntil(() => logger.received.find((request) => (request.body as { data?: string }).data === data), {
      timeout: 15_000,
      interval: 20,
    });
    expect(posted.body).toEqual({ name: 'auth', data });
  });

  it('when asked for its health while consuming, answers 200 connected and consuming', async () => {
    const response = await fetch(`${listeners[0]!.url}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      error: false,
      message: 'connected and consuming',
      data: { connected: true, consuming: true, queue: 'logs_listener' },
    });
  });

  it('when RabbitMQ cannot be reached, its health answers 503 naming RabbitMQ', async () => {
    const stranded = await startListener({ rabbitUrl: 'amqp://guest:guest@127.0.0.1:9', loggerUrl: logger.url, waitUntilConsuming: false });

    const response = await fetch(`${stranded.url}/health`);
    await stranded.close();

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: true, message: 'RabbitMQ is unavailable' });
  });
});
