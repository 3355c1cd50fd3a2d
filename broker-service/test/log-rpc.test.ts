import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { logBody, startBroker } from './broker-harness.js';
import { startRpcLogger, type RpcLoggerStandIn } from './logger-stand-ins.js';

let logger: RpcLoggerStandIn;
let broker: RunningApp;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  logger = await startRpcLogger();
  broker = await startBroker({ rpcAddress: logger.address });
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await broker?.close();
  await logger?.close();
});

describe('broker POST /handle action log (JSON-RPC to the logger)', () => {
  it("when the logger is up, calls RPCServer.LogInfo with Go's {Name, Data} and answers 202 with the logger's reply", async () => {
    const name = uniqueName('rpc');

    const { status, body } = await postJSON(`${broker.url}/handle`, logBody(name, 'over JSON-RPC'));

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: `Processed payload via RPC:${name}` });
    expect(logger.calls.filter((call) => (call as { Name?: string }).Name === name)).toEqual([{ Name: name, Data: 'over JSON-RPC' }]);
  });

  it("when the request has an id, the call carries it as request_id, and the logger's line of the call is under it", async () => {
    const name = uniqueName('rpc-reqid');
    const requestId = uniqueName('request');

    const { status } = await postJSON(`${broker.url}/handle`, logBody(name, 'x'), { 'content-type': 'application/json', 'x-request-id': requestId });

    expect(status).toBe(202);
    const at = logger.calls.findIndex((call) => (call as { Name?: string }).Name === name);
    expect(logger.requestIds[at]).toBe(requestId);
  });

  it('when many requests come at once, they share one kept-open connection', async () => {
    const names = Array.from({ length: 10 }, () => uniqueName('rpc-many'));

    const replies = await Promise.all(names.map((name) => postJSON(`${broker.url}/handle`, logBody(name))));

    expect(replies.map((reply) => reply.status)).toEqual(names.map(() => 202));
    expect(replies.map((reply) => reply.body.message)).toEqual(names.map((name) => `Processed payload via RPC:${name}`));
    expect(logger.openConnections()).toBe(1);
  });

  it('when the logger restarts, the next call dials again and succeeds', async () => {
    const restartable = await startRpcLogger();
    const brokerToIt = await startBroker({ rpcAddress: restartable.address });
    cleanups.push(() => brokerToIt.close());
    expect((await postJSON(`${brokerToIt.url}/handle`, logBody(uniqueName('rpc-before')))).status).toBe(202);

    await restartable.close();
    const again = await startRpcLogger({ port: restartable.port });
    cleanups.push(() => again.close());
    const name = uniqueName('rpc-after');
    const { status, body } = await postJSON(`${brokerToIt.url}/handle`, logBody(name));

    expect(status).toBe(202);
    expect(body.message).toBe(`Processed payload via RPC:${name}`);
    expect(again.calls).toEqual([{ Name: name, Data: 'some data' }]);
  });

  it('when the logger is down, answers 503 naming it, promptly', async () => {
    const brokerToNothing = await startBroker({ rpcAddress: `127.0.0.1:${await freePort()}` });
    cleanups.push(() => brokerToNothing.close());
    const started = Date.now();

    const { status, body } = await postJSON(`${brokerToNothing.url}/handle`, logBody(uniqueName('rpc-down')));

    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'logger-service is unavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('when the logger does not answer in time, answers 504 naming it', async () => {
    const slow = await startRpcLogger({ hold: true });
    const brokerToSlow = await startBroker({ rpcAddress: slow.address, timeoutMs: 300 });
    cleanups.push(() => brokerToSlow.close(), () => slow.close());

    const { status, body } = await postJSON(`${brokerToSlow.url}/handle`, logBody(uniqueName('rpc-slow')));

    expect(status).toBe(504);
    expect(body).toEqual({ error: true, message: 'logger-service did not answer in time' });
  });
});
