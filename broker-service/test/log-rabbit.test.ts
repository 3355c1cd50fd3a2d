import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOG_EXCHANGE } from '@go-micro/contracts';
import { createLogger, HttpError } from '@go-micro/toolkit';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { RabbitLog } from '../src/log-rabbit.js';
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
  it("when the client gives an Idempotency-Key, publishes the event with it as the messageId, the logger's event id", async () => {
    const name = uniqueName('rabbit-key');
    const key = uniqueName('key');

    const { status } = await postJSON(`${broker.url}/log-rabbit`, logBody(name), { 'content-type': 'application/json', 'idempotency-key': key });

    expect(status).toBe(202);
    const message = await vi.waitUntil(async () => {
      for (let m = await channel.get(probeQueue, { noAck: true }); m; m = await channel.get(probeQueue, { noAck: true })) {
        if ((JSON.parse(m.content.toString()) as { name: string }).name === name) return m;
      }
      return undefined;
    }, { timeout: 5_000, interval: 50 });
    expect(message.properties.messageId).toBe(key);
  });

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

/** A TCP link to RabbitMQ that a test can cut, restore on the same port, or make hold back RabbitMQ's replies. */
interface RabbitLink {
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Passes what the broker sends, but keeps back what RabbitMQ answers (its confirms). */
  holdReplies(): void;
}

async function startRabbitLink(rabbitUrl: string): Promise<RabbitLink> {
  const target = new URL(rabbitUrl);
  const sockets = new Set<Socket>();
  let holding = false;
  let port = 0;
  let server: Server | undefined;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect({ host: target.hostname, port: Number(target.port || 5672) });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => !holding && client.write(chunk));
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  await listen();
  const url = new URL(rabbitUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cut: async () => {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    restore: listen,
    holdReplies: () => (holding = true),
  };
}

describe('RabbitMQ publishes that could not be confirmed', () => {
  const logger = createLogger('broker-service', { level: 'silent', pretty: false });
  const received = async (name: string) => {
    const names: string[] = [];
    for (let message = await channel.get(probeQueue, { noAck: true }); message; message = await channel.get(probeQueue, { noAck: true })) {
      names.push((JSON.parse(message.content.toString()) as { name: string }).name);
    }
    return names.filter((n) => n.startsWith(name));
  };
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as HttpError);

  it('when the connection is down for the whole timeout, answers 503, and the event is not sent once RabbitMQ is back', async () => {
    const link = await startRabbitLink(vhost.url);
    const rabbit = new RabbitLog({ url: link.url, timeoutMs: 1_000, logger });
    const name = uniqueName('while-down');
    try {
      expect(await rabbit.log({ name: `${name}-before`, data: 'x' })).toBe('logged via RabbitMQ');
      await link.cut();
      await vi.waitUntil(() => rabbit.ready().then(() => false, () => true), { timeout: 10_000, interval: 50 });

      const err = await failure(rabbit.log({ name: `${name}-lost`, data: 'x' }));
      await link.restore();
      await vi.waitUntil(() => rabbit.ready().then(() => true, () => false), { timeout: 15_000, interval: 100 });
      // Published on the same channel after it: had the first waited in a buffer, it would have gone out before this one.
      expect(await rabbit.log({ name: `${name}-after`, data: 'x' })).toBe('logged via RabbitMQ');

      expect([err?.status, err?.message]).toEqual([503, 'RabbitMQ is unavailable']);
      const names = await vi.waitUntil(async () => {
        const got = await received(name);
        return got.includes(`${name}-after`) ? got : undefined;
      }, { timeout: 10_000, interval: 50 });
      expect(names).toEqual([`${name}-before`, `${name}-after`]);
    } finally {
      await rabbit.close();
      await link.cut();
    }
  }, 60_000);

  it('when RabbitMQ takes the message but its confirm does not come in time, answers 504 saying it may still be delivered', async () => {
    const link = await startRabbitLink(vhost.url);
    const rabbit = new RabbitLog({ url: link.url, timeoutMs: 1_000, logger });
    const name = uniqueName('unconfirmed');
    try {
      expect(await rabbit.log({ name: `${name}-before`, data: 'x' })).toBe('logged via RabbitMQ');
      link.holdReplies();

      const err = await failure(rabbit.log({ name: `${name}-held`, data: 'x' }));

      expect([err?.status, err?.message]).toEqual([504, 'RabbitMQ did not confirm the event in time; it may still be delivered']);
      // It was delivered: the answer was right not to say it was lost.
      const names = await vi.waitUntil(async () => {
        const got = await received(name);
        return got.includes(`${name}-held`) ? got : undefined;
      }, { timeout: 10_000, interval: 50 });
      expect(names).toEqual([`${name}-before`, `${name}-held`]);
    } finally {
      // Cut first, and let the broker see it: a channel's close waits for RabbitMQ's reply, which the link holds back.
      await link.cut();
      await vi.waitUntil(() => rabbit.ready().then(() => false, () => true), { timeout: 10_000, interval: 50 });
      await rabbit.close();
    }
  }, 60_000);
});
