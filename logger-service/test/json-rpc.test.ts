import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sharedFerretDB } from '@go-micro/testkit/shared-servers.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { LogsReader, startLogger, type RunningLogger } from './logger-harness.js';

let logger: RunningLogger;
let reader: LogsReader;

beforeAll(async () => {
  const { url } = sharedFerretDB();
  logger = await startLogger(url);
  reader = new LogsReader(url);
});
afterAll(async () => {
  await reader?.close();
  await logger?.close();
});

/** A raw TCP connection to the JSON-RPC port that records every byte the server sends. */
async function rawConnection(): Promise<{ socket: Socket; received: () => string; waitForLines: (count: number) => Promise<string[]> }> {
  const socket = connect({ host: '127.0.0.1', port: logger.rpcPort, noDelay: true });
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  return {
    socket,
    received: () => received,
    // Every reply ends in a newline: `count` of them are there once the text has `count` lines before its end.
    waitForLines: (count) =>
      vi.waitUntil(
        () => {
          const lines = received.split('\n').slice(0, -1);
          return lines.length >= count && lines;
        },
        { timeout: 10_000, interval: 20 },
      ),
  };
}

/** The exact bytes Go's jsonrpc client writes for client.Call("RPCServer.LogInfo", RPCPayload{name, data}, &reply). */
const goRequest = (id: number, name: string, data: string) =>
  `{"method":"RPCServer.LogInfo","params":[{"Name":${JSON.stringify(name)},"Data":${JSON.stringify(data)}}],"id":${id}}\n`;

/** The exact bytes Go's jsonrpc server writes back on success. */
const goReply = (id: number, name: string) => `{"id":${id},"result":${JSON.stringify(`Processed payload via RPC:${name}`)},"error":null}\n`;

describe('logger JSON-RPC (Go net/rpc/jsonrpc framing)', () => {
  it('when called with the bytes a Go client writes, answers the bytes a Go server writes and stores the entry', async () => {
    const name = uniqueName('rpc');
    const connection = await rawConnection();

    connection.socket.write(`{"method":"RPCServer.LogInfo","params":[{"Name":"${name}","Data":"y"}],"id":0}\n`);
    await connection.waitForLines(1);

    expect(connection.received()).toBe(`{"id":0,"result":"Processed payload via RPC:${name}","error":null}\n`);
    const [entry] = await reader.entries({ name });
    expect(entry).toMatchObject({ name, data: 'y' });
    expect(entry!.created_at).toBeInstanceOf(Date);
    expect(entry!.updated_at).toBeInstanceOf(Date);
    connection.socket.destroy();
  });

  it('when several calls are made one after another on one connection, answers each', async () => {
    const names = [uniqueName('rpc-seq'), uniqueName('rpc-seq'), uniqueName('rpc-seq')];
    const connection = await rawConnection();

    for (const [id, name] of names.entries()) {
      connection.socket.write(goRequest(id, name, 'data'));
      await connection.waitForLines(id + 1);
    }

    expect(connection.received()).toBe(names.map((name, id) => goReply(id, name)).join(''));
    connection.socket.destroy();
  });

  it('when a call arrives split across TCP packets, answers it once it is whole', async () => {
    const name = uniqueName('rpc-split');
    const request = goRequest(5, name, 'split');
    const connection = await rawConnection();

    await new Promise((resolve) => connection.socket.write(request.slice(0, 20), resolve));
    // A full call on another connection, so the first packet has surely been read on its own.
    const other = await rawConnection();
    other.socket.write(goRequest(1, uniqueName('rpc-other'), 'x'));
    await other.waitForLines(1);
    expect(connection.received()).toBe('');
    connection.socket.write(request.slice(20));
    await connection.waitForLines(1);

    expect(connection.received()).toBe(goReply(5, name));
    connection.socket.destroy();
    other.socket.destroy();
  });

  it('when two calls arrive in one packet with no newline between them, answers both', async () => {
    const [first, second] = [uniqueName('rpc-pair'), uniqueName('rpc-pair')];
    const connection = await rawConnection();

    connection.socket.write(goRequest(1, first, 'a').trimEnd() + goRequest(2, second, 'b'));
    const lines = await connection.waitForLines(2);

    expect(lines.map((line) => `${line}\n`).sort()).toEqual([goReply(1, first), goReply(2, second)]);
    expect(await reader.entries({ name: { $in: [first, second] } })).toHaveLength(2);
    connection.socket.destroy();
  });

  it('when the method is unknown, answers an error the way Go does and keeps the connection', async () => {
    const connection = await rawConnection();

    connection.socket.write('{"method":"RPCServer.Nope","params":[{}],"id":7}\n');
    await connection.waitForLines(1);
    connection.socket.write(goRequest(8, uniqueName('rpc-after'), 'x'));
    const lines = await connection.waitForLines(2);

    expect(lines[0]).toBe('{"id":7,"result":null,"error":"rpc: can\'t find method RPCServer.Nope"}');
    expect(JSON.parse(lines[1]!)).toMatchObject({ id: 8, error: null });
    connection.socket.destroy();
  });

  it('when the name is empty, answers an error naming it and stores nothing', async () => {
    const connection = await rawConnection();

    connection.socket.write(goRequest(3, '', 'x'));
    await connection.waitForLines(1);

    expect(connection.received()).toBe('{"id":3,"result":null,"error":"name: must not be empty"}\n');
    connection.socket.destroy();
  });

  it('when the bytes are not JSON, closes the connection as Go does', async () => {
    const connection = await rawConnection();
    const closed = once(connection.socket, 'close');

    connection.socket.write('hello\n');

    await closed;
    expect(connection.received()).toBe('');
  });

  it('when the id is 5,000 nested arrays (the frame that once crashed the logger), closes that connection and keeps serving', async () => {
    const hostile = await rawConnection();
    const closed = once(hostile.socket, 'close');

    hostile.socket.write(`{"method":"RPCServer.LogInfo","params":[{"Name":"x","Data":"y"}],"id":${'['.repeat(5_000)}${']'.repeat(5_000)}}\n`);
    await closed;

    const name = uniqueName('rpc-after-nested');
    const connection = await rawConnection();
    connection.socket.write(goRequest(1, name, 'still here'));
    await connection.waitForLines(1);
    expect(connection.received()).toBe(goReply(1, name));
    connection.socket.destroy();
  });

  it("when Go's own jsonrpc client makes three calls on one connection, each is answered and stored", async () => {
    const name = uniqueName('go-client');
    const program = new URL('./go-jsonrpc-client/main.go', import.meta.url).pathname;

    const { stdout } = await execa('go', ['run', program, '-addr', logger.rpcAddress, '-name', name, '-calls', '3'], {
      timeout: 120_000,
    });

    expect(stdout.split('\n').filter(Boolean)).toEqual([
      `Processed payload via RPC:${name}`,
      `Processed payload via RPC:${name}-2`,
      `Processed payload via RPC:${name}-3`,
    ]);
    expect(await reader.entries({ name: { $in: [name, `${name}-2`, `${name}-3`] }, data: 'from Go' })).toHaveLength(3);
    // The first go run on a machine compiles net/rpc and the program: over 30 s on a cold build cache with other suites on both cores.
  }, 120_000);
});

describe('logger JSON-RPC: one line per call', () => {
  it("when our client's call carries request_id, answers under it and logs one info line with it", async () => {
    const name = uniqueName('rpc-line');
    const requestId = uniqueName('request');
    const connection = await rawConnection();

    connection.socket.write(`{"method":"RPCServer.LogInfo","params":[{"Name":"${name}","Data":"y"}],"id":7,"request_id":"${requestId}"}\n`);
    await connection.waitForLines(1);
    connection.socket.end();

    expect(logger.requestIds.get(name)).toBe(requestId);
    const line = await vi.waitUntil(() => logger.lines.find((l) => l.reqId === requestId && l.msg === 'JSON-RPC call answered'), { timeout: 5_000 });
    expect(line).toMatchObject({ level: 30, method: 'RPCServer.LogInfo' });
    expect(line).not.toHaveProperty('error');
  });

  it("when a Go client's call fails, still logs its line, with the error, under a request id of its own", async () => {
    const connection = await rawConnection();
    const before = logger.lines.length;

    connection.socket.write(`{"method":"RPCServer.LogInfo","params":[{"Name":"","Data":"y"}],"id":8}\n`);
    await connection.waitForLines(1);
    connection.socket.end();

    const line = await vi.waitUntil(() => logger.lines.slice(before).find((l) => l.msg === 'JSON-RPC call answered'), { timeout: 5_000 });
    expect(line).toMatchObject({ level: 30, method: 'RPCServer.LogInfo', error: 'name: must not be empty' });
    expect(line.reqId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
