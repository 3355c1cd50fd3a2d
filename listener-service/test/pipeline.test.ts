import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOG_EXCHANGE } from '@go-micro/contracts';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { LogsReader, startLogger, uniqueName, type RunningLogger } from '../../logger-service/test/logger-harness.js';
import { logBody, startBroker } from '../../broker-service/test/broker-harness.js';
import { startListener, type RunningListener } from './listener-harness.js';

let ferret: FerretDB;
let reader: LogsReader;
let vhost: TestVhost;
let logger: RunningLogger;
let broker: RunningApp;
let listeners: RunningListener[];

beforeAll(async () => {
  [ferret, vhost] = await Promise.all([startFerretDB(), createTestVhost()]);
  reader = new LogsReader(ferret.url);
  logger = await startLogger(ferret.url);
  broker = await startBroker({ rabbitUrl: vhost.url });
  // Two replicas on the same named queue, as swarm runs them.
  listeners = [
    await startListener({ rabbitUrl: vhost.url, loggerUrl: logger.url }),
    await startListener({ rabbitUrl: vhost.url, loggerUrl: logger.url }),
  ];
});
afterAll(async () => {
  await Promise.all((listeners ?? []).map((listener) => listener.close()));
  await broker?.close();
  await logger?.close();
  await reader?.close();
  await vhost?.delete();
  await ferret?.stop();
});

const settled = () => listeners.reduce((sum, listener) => sum + listener.consumer.status().settled, 0);

describe('broker → RabbitMQ → listener → logger → MongoDB', () => {
  it('when the broker publishes an event, it is stored once, with the name and data sent and the request id carried', async () => {
    const name = uniqueName('pipeline');
    const requestId = uniqueName('req');

    const { status, body } = await postJSON(`${broker.url}/log-rabbit`, logBody(name, 'through the queue'), {
      'content-type': 'application/json',
      'x-request-id': requestId,
    });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'logged via RabbitMQ' });
    const [entry, ...others] = await reader.waitForEntries({ name });
    expect(others).toHaveLength(0);
    expect(entry).toMatchObject({ name, data: 'through the queue' });
    expect(entry!.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(entry!.created_at).toBeInstanceOf(Date);
    expect(logger.requestIds.get(name)).toBe(requestId);
  });

  it('when two replicas consume the same queue, each event is stored once and both take a share', async () => {
    const before = listeners.map((listener) => listener.consumer.status().settled);
    const names = Array.from({ length: 20 }, () => uniqueName('compete'));
    const settledBefore = settled();

    const replies = await Promise.all(names.map((name) => postJSON(`${broker.url}/log-rabbit`, logBody(name))));

    expect(replies.every((reply) => reply.status === 202)).toBe(true);
    await vi.waitUntil(() => settled() >= settledBefore + names.length, { timeout: 15_000, interval: 20 });
    expect(await reader.entries({ name: { $in: names } })).toHaveLength(names.length);
    const shares = listeners.map((listener, i) => listener.consumer.status().settled - before[i]!);
    expect(shares.every((share) => share > 0)).toBe(true);
  });

  it('when an auth event arrives, it is written to the logger too', async () => {
    const name = 'auth';
    const data = uniqueName('auth-event');
    const connection = await amqplib.connect(vhost.url);
    const channel = await connection.createConfirmChannel();

    channel.publish(LOG_EXCHANGE, 'log.WARNING', Buffer.from(JSON.stringify({ name, data })), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();

    expect(await reader.waitForEntries({ name, data })).toHaveLength(1);
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
