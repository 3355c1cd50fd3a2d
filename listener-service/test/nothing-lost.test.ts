import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
const running: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [ferret, vhost] = await Promise.all([startFerretDB(), createTestVhost()]);
  reader = new LogsReader(ferret.url);
  // Slow enough writes that a cut finds events stored but not yet acknowledged, which RabbitMQ then delivers again.
  logger = await startLogger(ferret.url, { mongoTimeoutMs: 500, writeDelayMs: 50 });
  // Generous: a publish caught by a cut waits for the reconnect and is confirmed then.
  broker = await startBroker({ rabbitUrl: vhost.url, timeoutMs: 15_000 });
});
afterAll(async () => {
  for (const app of running.reverse()) await app.close();
  await broker?.close();
  await logger?.close();
  await reader?.close();
  await vhost?.delete();
  await ferret?.stop();
});

async function listener(): Promise<RunningListener> {
  const started = await startListener({ rabbitUrl: vhost.url, loggerUrl: logger.url });
  running.push(started);
  return started;
}

const publish = (name: string) => postJSON(`${broker.url}/log-rabbit`, logBody(name, 'must not be lost'));

/** How many entries each name has, once all of them are stored. */
async function storedCounts(names: string[]): Promise<Map<string, number>> {
  const entries = await reader.waitForEntries({ name: { $in: names } }, names.length, 30_000);
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.name, (counts.get(entry.name) ?? 0) + 1);
  return counts;
}

/** Until the listener consumes again with nothing in hand, and its work and retry queues are empty. */
async function waitUntilIdle(listeners: RunningListener[]): Promise<void> {
  const connection = await amqplib.connect(vhost.url);
  try {
    const channel = await connection.createChannel();
    await vi.waitUntil(
      async () => {
        const busy = listeners.some(({ consumer }) => !consumer.status().consuming || consumer.status().inFlight > 0);
        const queued = (await channel.checkQueue('logs_listener')).messageCount + (await channel.checkQueue('logs_listener.retry')).messageCount;
        return !busy && queued === 0;
      },
      { timeout: 20_000, interval: 100 },
    );
  } finally {
    await connection.close();
  }
}

describe('nothing lost between broker and logger', () => {
  it('when events are published while no listener runs, they are stored once a listener starts', async () => {
    const first = await listener(); // declares the durable queue, as the first deployment does
    await first.close();
    const names = Array.from({ length: 5 }, () => uniqueName('while-down'));

    const replies = await Promise.all(names.map(publish));
    expect(replies.map((reply) => reply.status)).toEqual(names.map(() => 202));
    expect(await reader.entries({ name: { $in: names } })).toHaveLength(0);
    await listener();

    const counts = await storedCounts(names);
    expect([...counts.values()]).toEqual(names.map(() => 1));
  });

  it('when RabbitMQ cuts every connection while events are in flight, all are stored and none twice', async () => {
    const consuming = await listener();
    const names: string[] = [];
    const statuses: number[] = [];
    const publishOne = async () => {
      const name = uniqueName('cut');
      names.push(name);
      statuses.push((await publish(name)).status);
    };

    // Publish without pause, four at a time, for as long as the cut takes, then ten more after it.
    let cutDone = false;
    const cut = vhost.closeConnections().finally(() => (cutDone = true));
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!cutDone) await publishOne();
      }),
    );
    await cut;
    for (let i = 0; i < 10; i++) await publishOne();

    expect(statuses.filter((status) => status !== 202)).toEqual([]);
    await storedCounts(names);
    // Count only once every delivery, redeliveries included, has been worked off.
    await waitUntilIdle([consuming]);
    const counts = await storedCounts(names);
    console.log(`cut test: ${names.length} events, ${consuming.consumer.status().redelivered} redelivered to the listener`);
    expect(names.length).toBeGreaterThan(10);
    expect(counts.size).toBe(names.length);
    expect([...counts.entries()].filter(([, count]) => count !== 1)).toEqual([]);
  });

  it('when MongoDB is down for a while, events are retried and stored once it is back', async () => {
    await listener();
    const port = ferret.port;
    await ferret.stop();
    const names = Array.from({ length: 3 }, () => uniqueName('mongo-down'));

    const replies = await Promise.all(names.map(publish));
    expect(replies.map((reply) => reply.status)).toEqual(names.map(() => 202));
    ferret = await startFerretDB({ port });

    const counts = await storedCounts(names);
    expect([...counts.values()]).toEqual(names.map(() => 1));
  });
});
