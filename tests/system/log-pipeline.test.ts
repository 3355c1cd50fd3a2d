import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postJSON } from '@go-micro/testkit/http.js';
import { sharedFerretDB } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { listenerStatus } from '@go-micro/testkit/listener-status.js';
import { StoredLogs } from '@go-micro/testkit/stored-logs.js';

// broker → RabbitMQ → listener → logger → MongoDB, as processes, with two listener replicas on one queue as swarm runs them.
let system: System;
let logs: StoredLogs;

beforeAll(async () => {
  system = await startSystem({
    services: ['logger', 'listener', 'broker'],
    replicas: { listener: 2 },
    mongo: sharedFerretDB(),
    // At the services' default level (the kit quiets them to warn): each hop's line names the request's id.
    env: { logger: { LOG_LEVEL: 'info' }, listener: { LOG_LEVEL: 'info' }, broker: { LOG_LEVEL: 'info' } },
  });
  logs = new StoredLogs(system.mongo.url);
}, 120_000);
afterAll(async () => {
  await logs?.close();
  await system?.shutdown();
});

const logBody = (name: string, data = 'some data') => ({ action: 'log', log: { name, data } });
const settledByEach = async () => Promise.all([0, 1].map(async (replica) => (await listenerStatus(system, replica))?.settled ?? NaN));

describe('broker → RabbitMQ → listener → logger → MongoDB', () => {
  it('when the broker publishes an event, it is stored once with the name and data sent and its event id, and the request id reaches the logger', async () => {
    const name = uniqueName('pipeline');
    const requestId = uniqueName('req');

    const { status, body } = await postJSON(`${system.brokerUrl}/log-rabbit`, logBody(name, 'through the queue'), {
      'content-type': 'application/json',
      'x-request-id': requestId,
    });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'logged via RabbitMQ' });
    const [entry, ...others] = await vi.waitUntil(async () => {
      const found = await logs.entries({ name });
      return found.length > 0 && found;
    }, { timeout: 15_000, interval: 100 });
    expect(others).toHaveLength(0);
    expect(entry).toMatchObject({ name, data: 'through the queue' });
    expect(entry!.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(entry!.created_at).toBeInstanceOf(Date);
    const [line] = await system.process('logger')!.waitForOutput(new RegExp(`^.*"reqId":"${requestId}".*"msg":"request completed".*$`, 'm'), 15_000);
    expect(JSON.parse(line)).toMatchObject({ reqId: requestId, method: 'POST', url: '/log', status: 202 });
    // One grep of the id over the services' output finds the broker's line, one listener's and the logger's.
    const withId = (output: string) => output.split('\n').filter((l) => l.includes(`"reqId":"${requestId}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(withId(system.process('broker')!.output())).toContainEqual(expect.objectContaining({ msg: 'request completed', url: '/log-rabbit' }));
    const listeners = await vi.waitUntil(() => {
      const lines = [0, 1].flatMap((replica) => withId(system.process('listener', replica)!.output()));
      return lines.length > 0 && lines;
    }, { timeout: 10_000, interval: 100 });
    expect(listeners).toEqual([expect.objectContaining({ level: 30, msg: 'message settled', queue: 'logs_listener', outcome: 'handled' })]);
  });

  it('when two listener replicas consume the same queue, each of 20 events is stored once and both take a share', async () => {
    const before = await settledByEach();
    const names = Array.from({ length: 20 }, () => uniqueName('compete'));

    const replies = await Promise.all(names.map((name) => postJSON(`${system.brokerUrl}/log-rabbit`, logBody(name))));

    expect(replies.map((reply) => reply.status)).toEqual(names.map(() => 202));
    await vi.waitUntil(async () => (await settledByEach()).reduce((a, b) => a + b) >= before.reduce((a, b) => a + b) + names.length, {
      timeout: 15_000,
      interval: 100,
    });
    expect(await logs.countsByName(names)).toEqual(names.map(() => 1));
    const shares = (await settledByEach()).map((settled, i) => settled - before[i]!);
    expect(shares.every((share) => share > 0)).toBe(true);
  });

  it('when an auth event arrives on the exchange from elsewhere, without an id, it is stored too', async () => {
    const data = uniqueName('auth-event');
    const connection = await amqplib.connect(system.vhost.url);
    const channel = await connection.createConfirmChannel();

    channel.publish('logs_topic', 'log.WARNING', Buffer.from(JSON.stringify({ name: 'auth', data })), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();

    await expect.poll(() => logs.entries({ name: 'auth', data }), { timeout: 15_000, interval: 100 }).toHaveLength(1);
  });
});
