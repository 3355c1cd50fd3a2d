import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { listenerStatus } from '@go-micro/testkit/listener-status.js';
import { startSlowLink, type SlowLink } from './slow-link.js';
import { StoredLogs } from '@go-micro/testkit/stored-logs.js';

// broker → RabbitMQ → listener → logger → MongoDB as processes, through restarts and cuts.
// A FerretDB of this file's own, since a test stops it; the logger reaches it through a slow link,
// so that a cut finds events stored but not yet acknowledged, which RabbitMQ then delivers again.
let ferret: FerretDB;
let slowLink: SlowLink;
let system: System;
let logs: StoredLogs;

beforeAll(async () => {
  ferret = await startFerretDB();
  slowLink = await startSlowLink(ferret, 50);
  system = await startSystem({
    services: ['logger', 'listener', 'broker'],
    mongo: ferret,
    mail: sharedMailCatcher(),
    env: {
      logger: { MONGO_URL: `mongodb://127.0.0.1:${slowLink.port}`, MONGO_TIMEOUT_MS: '500' },
      listener: { RETRY_DELAY_MS: '100', RETRY_MAX_DELAY_MS: '1000' },
      // Generous: a publish caught by a cut waits for the reconnect and is confirmed then.
      broker: { UPSTREAM_TIMEOUT_MS: '15000' },
    },
  });
  logs = new StoredLogs(ferret.url);
}, 120_000);
afterAll(async () => {
  await logs?.close();
  await system?.shutdown();
  await slowLink?.close();
  await ferret?.stop();
});

const publish = (name: string) => postJSON(`${system.brokerUrl}/log-rabbit`, { action: 'log', log: { name, data: 'must not be lost' } });

/** How many entries each name has, once every one of them is stored. */
async function storedCounts(names: string[]): Promise<number[]> {
  return vi.waitUntil(
    async () => {
      const counts = await logs.countsByName(names);
      return counts.every((count) => count > 0) && counts;
    },
    { timeout: 30_000, interval: 100 },
  );
}

/** Until the listener consumes again with nothing in hand, and its work and retry queues are empty. */
async function waitUntilIdle(): Promise<void> {
  const connection = await amqplib.connect(system.vhost.url);
  try {
    const channel = await connection.createChannel();
    const queued = async () => (await channel.checkQueue('logs_listener')).messageCount + (await channel.checkQueue('logs_listener.retry')).messageCount;
    await vi.waitUntil(
      async () => {
        const status = await listenerStatus(system).catch(() => undefined);
        return status !== undefined && status.inFlight === 0 && (await queued()) === 0;
      },
      { timeout: 20_000, interval: 100 },
    );
  } finally {
    await connection.close();
  }
}

describe('nothing lost between broker and logger', () => {
  it('when events are published while no listener runs, they are stored once a listener starts', async () => {
    await system.stop('listener'); // its durable queue stays, as after the first deployment
    const names = Array.from({ length: 5 }, () => uniqueName('while-down'));

    const replies = await Promise.all(names.map(publish));
    expect(replies.map((reply) => reply.status)).toEqual(names.map(() => 202));
    expect(await logs.countsByName(names)).toEqual(names.map(() => 0));
    await system.start('listener');

    expect(await storedCounts(names)).toEqual(names.map(() => 1));
  });

  it('when RabbitMQ cuts every connection while events are in flight, all are stored and none twice', async () => {
    const names: string[] = [];
    const statuses: number[] = [];
    const publishOne = async () => {
      const name = uniqueName('cut');
      names.push(name);
      statuses.push((await publish(name)).status);
    };

    // Publish without pause, four at a time, for as long as the cut takes, then ten more after it.
    let cutDone = false;
    const cut = system.vhost.closeConnections().finally(() => (cutDone = true));
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
    await waitUntilIdle();
    const counts = await storedCounts(names);
    console.log(`cut test: ${names.length} events, ${(await listenerStatus(system))?.redelivered} redelivered to the listener`);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((_, i) => counts[i] !== 1)).toEqual([]);
  });

  it('when MongoDB is down for a while, events are retried and stored once it is back', async () => {
    const port = ferret.port;
    await ferret.stop();
    const names = Array.from({ length: 3 }, () => uniqueName('mongo-down'));

    const replies = await Promise.all(names.map(publish));
    expect(replies.map((reply) => reply.status)).toEqual(names.map(() => 202));
    ferret = await startFerretDB({ port });

    expect(await storedCounts(names)).toEqual(names.map(() => 1));
  });
});
