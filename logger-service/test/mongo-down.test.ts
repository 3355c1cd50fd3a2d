import { connect } from 'node:net';
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLogsProto, type LogServiceClient } from '@go-micro/contracts/logs-grpc';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { LogsReader, startLogger, type RunningLogger } from './logger-harness.js';

// A FerretDB of this file's own: the tests stop it and start it again.

let ferret: FerretDB;
let logger: RunningLogger;
let client: LogServiceClient;

beforeAll(async () => {
  ferret = await startFerretDB();
  logger = await startLogger(ferret.url, { mongoTimeoutMs: 500 });
  client = new (loadLogsProto().LogService)(logger.grpcAddress, grpc.credentials.createInsecure());
  await ferret.stop();
});
afterAll(async () => {
  client?.close();
  await logger?.close();
  await ferret?.stop();
});

/** One JSON-RPC call, bytes as Go writes them; resolves with the parsed reply. */
async function rpcCall(name: string): Promise<{ id: number; result: unknown; error: unknown }> {
  const socket = connect({ host: '127.0.0.1', port: logger.rpcPort });
  await once(socket, 'connect');
  socket.write(`{"method":"RPCServer.LogInfo","params":[{"Name":"${name}","Data":"x"}],"id":1}\n`);
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return JSON.parse(chunk.toString('utf8'));
}

function grpcCall(name: string): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) =>
    client.WriteLog({ logEntry: { name, data: 'x' } }, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err) => resolve(err)),
  );
}

describe('logger with MongoDB down', () => {
  it('when MongoDB is down, REST answers 503 naming it, promptly', async () => {
    const started = Date.now();
    const { status, body } = await postJSON(`${logger.url}/log`, { name: uniqueName('down'), data: 'x' });

    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'MongoDB is unavailable' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('when MongoDB is down, JSON-RPC answers an error naming it', async () => {
    const reply = await rpcCall(uniqueName('down'));

    expect(reply).toEqual({ id: 1, result: null, error: 'MongoDB is unavailable' });
  });

  it('when MongoDB is down, gRPC answers UNAVAILABLE naming it', async () => {
    const err = await grpcCall(uniqueName('down'));

    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(err?.details).toBe('MongoDB is unavailable');
  });

  it('when MongoDB comes back on the same address, stores entries again without a restart', async () => {
    ferret = await startFerretDB({ port: Number(new URL(logger.mongoUrl).port) });
    const reader = new LogsReader(ferret.url);
    const name = uniqueName('back');

    // Posts until one is taken; the ones before it were refused with 503 and stored nothing.
    await expect
      .poll(async () => (await postJSON(`${logger.url}/log`, { name, data: 'after the outage' })).status, { timeout: 20_000, interval: 200 })
      .toBe(202);

    expect(await reader.entries({ name })).toHaveLength(1);
    await reader.close();
  });
});
