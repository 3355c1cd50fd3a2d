import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postJSON } from '@go-micro/testkit/http.js';
import { sharedFerretDB } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type ServiceName, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { StoredLogs } from '@go-micro/testkit/stored-logs.js';

// The built services (dist/main.js), started as `make dev` starts them: proves main.ts, config and the proto path.
let system: System;
let logs: StoredLogs;

beforeAll(async () => {
  system = await startSystem({ services: ['logger', 'listener', 'broker'], mongo: sharedFerretDB() });
  logs = new StoredLogs(system.mongo.url);
}, 120_000);
afterAll(async () => {
  await logs?.close();
  await system?.shutdown();
});

describe('logger, listener and broker as processes', () => {
  it('when the page logs over each of the four transports, every entry is stored once', async () => {
    const names = { rpc: uniqueName('proc-rpc'), grpc: uniqueName('proc-grpc'), rabbit: uniqueName('proc-rabbit'), http: uniqueName('proc-http') };
    const body = (name: string) => ({ action: 'log', log: { name, data: 'from the page' } });

    const replies = await Promise.all([
      postJSON(`${system.brokerUrl}/handle`, body(names.rpc)),
      postJSON(`${system.brokerUrl}/log-grpc`, body(names.grpc)),
      postJSON(`${system.brokerUrl}/log-rabbit`, body(names.rabbit)),
      postJSON(`${system.brokerUrl}/log-http`, body(names.http)),
    ]);

    expect(replies.map(({ status, body }) => [status, body.message])).toEqual([
      [202, `Processed payload via RPC:${names.rpc}`],
      [202, 'logged'],
      [202, 'logged via RabbitMQ'],
      [202, 'logged'],
    ]);
    const all = Object.values(names);
    // The RabbitMQ one is stored a moment after its reply, by the listener.
    await vi.waitUntil(async () => (await logs.countsByName(all)).every((count) => count > 0), { timeout: 15_000, interval: 100 });
    expect(await logs.countsByName(all)).toEqual([1, 1, 1, 1]);
  });

  it('when sent SIGTERM, each service closes its connections and exits with code 0', async () => {
    const order: ServiceName[] = ['broker', 'listener', 'logger'];

    const codes = [];
    for (const name of order) codes.push({ name, code: await system.stop(name) });

    expect(codes).toEqual(order.map((name) => ({ name, code: 0 })));
  });
});
