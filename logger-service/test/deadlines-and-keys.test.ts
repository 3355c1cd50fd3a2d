import { once } from 'node:events';
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEADLINE_HEADER, DEADLINE_PASSED } from '@go-micro/contracts';
import { loadLogsProto, type LogServiceClient } from '@go-micro/contracts/logs-grpc';
import { HttpError } from '@go-micro/toolkit';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { LogsReader, startLogger, type RunningLogger } from './logger-harness.js';

// A FerretDB of this file's own: one test stops its process (SIGSTOP) to make MongoDB stall.
let ferret: FerretDB;
let logger: RunningLogger;
let reader: LogsReader;
let client: LogServiceClient;

beforeAll(async () => {
  ferret = await startFerretDB();
  logger = await startLogger(ferret.url);
  reader = new LogsReader(ferret.url);
  client = new (loadLogsProto().LogService)(logger.grpcAddress, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await reader?.close();
  await logger?.close();
  await ferret?.stop();
});

/** One JSON-RPC call of our client's shape (Go's, plus the extra members); resolves with the reply. */
async function rpcCall(request: object): Promise<{ id: number; result: unknown; error: unknown }> {
  const socket = connect({ host: '127.0.0.1', port: logger.rpcPort });
  await once(socket, 'connect');
  socket.write(`${JSON.stringify(request)}\n`);
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return JSON.parse(chunk.toString('utf8'));
}

const logInfo = (name: string, extra: object = {}) => ({ method: 'RPCServer.LogInfo', params: [{ Name: name, Data: 'x' }], id: 1, ...extra });

function grpcCall(name: string, key: string): Promise<grpc.ServiceError | null> {
  const metadata = new grpc.Metadata();
  metadata.set('idempotency-key', key);
  return new Promise((resolve) => client.WriteLog({ logEntry: { name, data: 'x' } }, metadata, { deadline: Date.now() + 10_000 }, (err) => resolve(err)));
}

describe('logger: a retry with the same Idempotency-Key stores one entry', () => {
  it('over REST, both posts answer 202 and one entry is stored, with the key as its event id', async () => {
    const name = uniqueName('rest-key');
    const key = uniqueName('key');
    const headers = { 'content-type': 'application/json', 'idempotency-key': key };

    const replies = [await postJSON(`${logger.url}/log`, { name, data: 'x' }, headers), await postJSON(`${logger.url}/log`, { name, data: 'x' }, headers)];

    expect(replies.map((r) => r.status)).toEqual([202, 202]);
    expect((await reader.entries({ name })).map((e) => e.event_id)).toEqual([key]);
  });

  it('over JSON-RPC, with the key as a member of the request, both calls answer and one entry is stored', async () => {
    const name = uniqueName('rpc-key');
    const key = uniqueName('key');

    const replies = [await rpcCall(logInfo(name, { idempotency_key: key })), await rpcCall(logInfo(name, { idempotency_key: key }))];

    expect(replies.map((r) => r.result)).toEqual([`Processed payload via RPC:${name}`, `Processed payload via RPC:${name}`]);
    expect((await reader.entries({ name })).map((e) => e.event_id)).toEqual([key]);
  });

  it('over gRPC, with the key in the metadata, both calls answer and one entry is stored', async () => {
    const name = uniqueName('grpc-key');
    const key = uniqueName('key');

    const errors = [await grpcCall(name, key), await grpcCall(name, key)];

    expect(errors).toEqual([null, null]);
    expect((await reader.entries({ name })).map((e) => e.event_id)).toEqual([key]);
  });

  it('when the key breaks the rule, or differs from the body\'s event_id, REST answers 400 and stores nothing', async () => {
    const name = uniqueName('bad-key');

    const bad = await postJSON(`${logger.url}/log`, { name, data: 'x' }, { 'content-type': 'application/json', 'idempotency-key': 'not a key' });
    const differ = await postJSON(`${logger.url}/log`, { name, data: 'x', event_id: 'one' }, { 'content-type': 'application/json', 'idempotency-key': 'other' });

    expect([bad.status, bad.body.message]).toEqual([400, 'Idempotency-Key must be 1-128 letters, digits or . _ : -']);
    expect([differ.status, differ.body.message]).toEqual([400, 'event_id and Idempotency-Key differ']);
    expect(await reader.entries({ name })).toEqual([]);
  });
});

describe('logger: work whose caller has stopped waiting is not done', () => {
  it(`when a REST call's ${DEADLINE_HEADER} has passed, answers 504 and stores nothing`, async () => {
    const name = uniqueName('rest-late');

    const { status, body } = await postJSON(`${logger.url}/log`, { name, data: 'x' }, { 'content-type': 'application/json', [DEADLINE_HEADER]: String(Date.now() - 1) });

    expect([status, body]).toEqual([504, { error: true, message: 'MongoDB did not answer in time' }]);
    expect(await reader.entries({ name })).toEqual([]);
  });

  it(`when the ${DEADLINE_HEADER} is not a time, answers 400`, async () => {
    const { status, body } = await postJSON(`${logger.url}/log`, { name: uniqueName('rest-bad-deadline'), data: 'x' }, { 'content-type': 'application/json', [DEADLINE_HEADER]: 'soon' });
    expect([status, body.message]).toEqual([400, `${DEADLINE_HEADER} must be milliseconds since the Unix epoch`]);
  });

  it('when a JSON-RPC call comes after its deadline, answers that it was not run, and stores nothing', async () => {
    const name = uniqueName('rpc-late');

    const reply = await rpcCall(logInfo(name, { deadline: Date.now() - 1 }));

    expect(reply).toEqual({ id: 1, result: null, error: DEADLINE_PASSED });
    expect(await reader.entries({ name })).toEqual([]);
  });

  it('when MongoDB stalls, writes are cut at their deadline with 504, and one that waited past its deadline is never stored', async () => {
    const name = uniqueName('stalled');
    const failure = (promise: Promise<void>) => promise.then(() => undefined, (err: unknown) => err as HttpError);
    process.kill(ferret.pid!, 'SIGSTOP');
    let writes: Promise<HttpError | undefined>[];
    try {
      // Four inserts in flight at most: these four take every slot until their deadline...
      const inFlight = Array.from({ length: 4 }, (_, i) => failure(logger.store.write({ name, data: `in flight ${i}` }, { deadline: Date.now() + 1_500 })));
      // ...and this one waits for a slot, past its own deadline.
      const queued = failure(logger.store.write({ name, data: 'queued' }, { deadline: Date.now() + 300 }));
      writes = [...inFlight, queued];
      await Promise.all(writes);
    } finally {
      process.kill(ferret.pid!, 'SIGCONT');
    }

    const errors = await Promise.all(writes);
    expect(errors.map((err) => [err?.status, err?.message])).toEqual(Array(5).fill([504, 'MongoDB did not answer in time']));
    // MongoDB answers again; the queued entry was never sent, so it cannot turn up.
    await logger.store.write({ name, data: 'after' });
    expect((await reader.entries({ name })).map((e) => e.data)).not.toContain('queued');
  });
});
