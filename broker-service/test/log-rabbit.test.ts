import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOG_EXCHANGE } from '@go-micro/contracts';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { logBody, startBroker } from './broker-harness.js';

let vhost: TestVhost;
let connection: amqplib.ChannelModel;
let channel: amqplib.Channel;
let probeQueue: string;
let broker: RunningApp;
let brokerToNothing: RunningApp;

beforeAll(async () => {
  vhost = await createTestVhost();
  // A queue of the test's own on the exchange, to see exactly what the broker published.
  connection = await amqplib.connect(vhost.url);
  channel = await connection.createChannel();
  await channel.assertExchange(LOG_EXCHANGE, 'topic', { durable: true });
  probeQueue = (await channel.assertQueue('', { exclusive: true })).queue;
  await channel.bindQueue(probeQueue, LOG_EXCHANGE, '#');
  broker = await startBroker({ rabbitUrl: vhost.url });
  brokerToNothing = await startBroker({ rabbitUrl: 'amqp://guest:guest@127.0.0.1:9', timeoutMs: 500 });
});
afterAll(async () => {
  await Promise.all([broker, brokerToNothing].map((app) => app?.close()));
  await connection?.close();
  await vhost?.delete();
});

describe('broker POST /log-rabbit', () => {
  it('when RabbitMQ is up, answers 202 once confirmed, having published a persistent JSON event with ids', async () => {
    const name = uniqueName('rabbit');
    const requestId = uniqueName('req');

    const { status, body } = await postJSON(`${broker.url}/log-rabbit`, logBody(name, 'via RabbitMQ'), {
      'content-type': 'application/json',
      'x-request-id': requestId,
    });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'logged via RabbitMQ' });
    const message = await vi.waitUntil(() => channel.get(probeQueue, { noAck: true }), { timeout: 5_000, interval: 50 });
    expect(JSON.parse(message.content.toString())).toEqual({ name, data: 'via RabbitMQ' });
    expect(message.fields).toMatchObject({ exchange: 'logs_topic', routingKey: 'log.INFO' });
    expect(message.properties).toMatchObject({
      deliveryMode: 2,
      contentType: 'application/json',
      correlationId: requestId,
      headers: { 'x-request-id': requestId },
    });
    expect(message.properties.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when no queue is bound to the exchange yet, answers 503 instead of dropping the event', async () => {
    await channel.unbindQueue(probeQueue, LOG_EXCHANGE, '#');
    try {
      const { status, body } = await postJSON(`${broker.url}/log-rabbit`, logBody(uniqueName('unroutable')));

      expect(status).toBe(503);
      expect(body).toEqual({
        error: true,
        message: 'RabbitMQ has no queue bound to logs_topic for log.INFO yet: is listener-service running?',
      });
    } finally {
      await channel.bindQueue(probeQueue, LOG_EXCHANGE, '#');
    }
  });

  it('when RabbitMQ cannot be reached, answers 503 naming it within the timeout', async () => {
    const started = Date.now();

    const { status, body } = await postJSON(`${brokerToNothing.url}/log-rabbit`, logBody(uniqueName('rabbit-down')));

    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'RabbitMQ is unavailable' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
