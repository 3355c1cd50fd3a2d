import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { LogsReader, startLogger, uniqueName, type RunningLogger } from '../../logger-service/test/logger-harness.js';
import { logBody, startBroker } from './broker-harness.js';

let ferret: FerretDB;
let reader: LogsReader;
let logger: RunningLogger;
let broker: RunningApp;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ferret = await startFerretDB();
  reader = new LogsReader(ferret.url);
  logger = await startLogger(ferret.url);
  broker = await startBroker({ rpcAddress: logger.rpcAddress });
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await broker?.close();
  await logger?.close();
  await reader?.close();
  await ferret?.stop();
});

describe('broker POST /handle action log (JSON-RPC to the logger)', () => {
  it('when the logger is up, answers 202 with the logger\'s reply and the entry is stored', async () => {
    const name = uniqueName('rpc');

    const { status, body } = await postJSON(`${broker.url}/handle`, logBody(name, 'over JSON-RPC'));

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: `Processed payload via RPC:${name}` });
    expect(await reader.entries({ name, data: 'over JSON-RPC' })).toHaveLength(1);
  });

  it('when many requests come at once, they share one kept-open connection', async () => {
    const names = Array.from({ length: 10 }, () => uniqueName('rpc-many'));

    const replies = await Promise.all(names.map((name) => postJSON(`${broker.url}/handle`, logBody(name))));

    expect(replies.map((reply) => reply.status)).toEqual(names.map(() => 202));
    expect(replies.map((reply) => reply.body.message)).toEqual(names.map((name) => `Processed payload via RPC:${name}`));
    expect(logger.rpcConnections()).toBe(1);
  });

  it('when the logger restarts, the next call dials again and succeeds', async () => {
    const restartable = await startLogger(ferret.url);
    const brokerToIt = await startBroker({ rpcAddress: restartable.rpcAddress });
    cleanups.push(() => brokerToIt.close());
    expect((await postJSON(`${brokerToIt.url}/handle`, logBody(uniqueName('rpc-before')))).status).toBe(202);

    await restartable.close();
    const again = await startLogger(ferret.url, { rpcPort: restartable.rpcPort });
    cleanups.push(() => again.close());
    const name = uniqueName('rpc-after');
    const { status, body } = await postJSON(`${brokerToIt.url}/handle`, logBody(name));

    expect(status).toBe(202);
    expect(body.message).toBe(`Processed payload via RPC:${name}`);
  });

  it('when the logger is down, answers 503 naming it, promptly', async () => {
    const down = await startLogger(ferret.url);
    await down.close();
    const brokerToNothing = await startBroker({ rpcAddress: down.rpcAddress });
    cleanups.push(() => brokerToNothing.close());
    const started = Date.now();

    const { status, body } = await postJSON(`${brokerToNothing.url}/handle`, logBody(uniqueName('rpc-down')));

    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'logger-service is unavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('when the logger does not answer in time, answers 504 naming it', async () => {
    const slow = await startLogger(ferret.url, { writeDelayMs: 2_000 });
    const brokerToSlow = await startBroker({ rpcAddress: slow.rpcAddress, timeoutMs: 300 });
    cleanups.push(() => brokerToSlow.close(), () => slow.close());

    const { status, body } = await postJSON(`${brokerToSlow.url}/handle`, logBody(uniqueName('rpc-slow')));

    expect(status).toBe(504);
    expect(body).toEqual({ error: true, message: 'logger-service did not answer in time' });
  });
});
