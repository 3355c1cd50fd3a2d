import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { DEADLINE_PASSED, JsonRpcServer, type JsonRpcLimits } from '../src/index.js';

// A server of the contract's codec with one method, and bounds small enough to reach in a test.
const limits: Partial<JsonRpcLimits> = { maxFrameBytes: 4096, maxDepth: 8, frameTimeoutMs: 500, idleTimeoutMs: 1_000, maxConnections: 3, maxInFlight: 2 };
let server: JsonRpcServer;
let port: number;
let release: (() => void)[] = [];
let started = 0;

beforeAll(async () => {
  server = new JsonRpcServer(
    {
      'Echo.Say': async (param) => `said ${String(param)}`,
      'Echo.Extras': async (_param, call) => call,
      // Answers only once the test lets it: to see how many calls run at once.
      'Echo.Wait': () => {
        started++;
        return new Promise((resolve) => release.push(() => resolve('done')));
      },
    },
    createLogger('test', { level: 'silent', pretty: false }),
    limits,
  );
  port = await server.listen(0, '127.0.0.1');
});
afterAll(() => server.close());

async function open(): Promise<{ socket: Socket; lines: () => string[]; closed: Promise<unknown> }> {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  return { socket, lines: () => text.split('\n').filter(Boolean), closed };
}

describe('JSON-RPC ids', () => {
  it('when the id is nested arrays, answers an error with a null id, never stringifying it, and keeps serving', async () => {
    const { socket, lines } = await open();
    socket.write(`{"method":"Echo.Say","params":["x"],"id":${'['.repeat(4)}${']'.repeat(4)}}\n`);
    socket.write(`{"method":"Echo.Say","params":["y"],"id":7}\n`);
    await vi.waitUntil(() => lines().length === 2, { timeout: 5_000 });
    expect(lines()).toEqual(['{"id":null,"result":null,"error":"rpc: id must be a number, a string or null"}', '{"id":7,"result":"said y","error":null}']);
    socket.destroy();
  });

  it('when the id is a number, a short string or null, echoes it; an object, a boolean or a long string gets an error', async () => {
    const { socket, lines } = await open();
    for (const id of ['1', '"abc"', 'null', '{"a":1}', 'true', JSON.stringify('x'.repeat(300))]) socket.write(`{"method":"Echo.Say","params":[1],"id":${id}}`);
    await vi.waitUntil(() => lines().length === 6, { timeout: 5_000 });
    const ids = lines().map((line) => (JSON.parse(line) as { id: unknown; error: unknown }));
    expect(ids.filter((r) => r.error === null).map((r) => r.id).sort()).toEqual([1, 'abc', null].sort());
    expect(ids.filter((r) => r.error !== null)).toHaveLength(3);
    socket.destroy();
  });
});

describe('JSON-RPC deadlines and idempotency keys (members our client adds, which a Go server ignores)', () => {
  it('passes the deadline and the key to the method; a call without them (a Go client\'s) gets neither', async () => {
    const { socket, lines } = await open();
    const deadline = Date.now() + 60_000;
    socket.write(`{"method":"Echo.Extras","params":[1],"id":1,"deadline":${deadline},"idempotency_key":"k-1"}\n`);
    socket.write('{"method":"Echo.Extras","params":[1],"id":2}\n');
    await vi.waitUntil(() => lines().length === 2, { timeout: 5_000 });
    const results = lines().map((line) => JSON.parse(line) as { id: number; result: unknown }).sort((a, b) => a.id - b.id);
    expect(results.map((r) => r.result)).toEqual([{ deadline, idempotencyKey: 'k-1' }, {}]);
    socket.destroy();
  });

  it('when a call is read after its deadline, answers that it was not run, without running it', async () => {
    const { socket, lines } = await open();
    const before = started;
    socket.write(`{"method":"Echo.Wait","params":[],"id":5,"deadline":${Date.now() - 1}}\n`);
    await vi.waitUntil(() => lines().length === 1, { timeout: 5_000 });
    expect(lines()).toEqual([JSON.stringify({ id: 5, result: null, error: DEADLINE_PASSED })]);
    expect(started).toBe(before);
    socket.destroy();
  });

  it('when a call waits in the queue of a busy connection past its deadline, it is dropped there, not run late', async () => {
    const { socket, lines } = await open();
    started = 0;
    socket.write('{"method":"Echo.Wait","params":[],"id":1}\n{"method":"Echo.Wait","params":[],"id":2}\n');
    await vi.waitUntil(() => started === 2, { timeout: 5_000 });
    const deadline = Date.now() + 200;
    socket.write(`{"method":"Echo.Wait","params":[],"id":3,"deadline":${deadline}}\n`);
    await vi.waitUntil(() => Date.now() > deadline, { timeout: 5_000, interval: 20 });

    const waiting = release;
    release = [];
    for (const done of waiting) done();
    await vi.waitUntil(() => lines().length === 3, { timeout: 5_000 });

    expect(started).toBe(2);
    expect(lines().map((line) => JSON.parse(line) as { id: number; error: unknown }).find((r) => r.id === 3)?.error).toBe(DEADLINE_PASSED);
    socket.destroy();
  });

  it('when the deadline is not milliseconds since the epoch, answers an error naming it', async () => {
    const { socket, lines } = await open();
    socket.write('{"method":"Echo.Say","params":[1],"id":6,"deadline":"soon"}\n');
    await vi.waitUntil(() => lines().length === 1, { timeout: 5_000 });
    expect(JSON.parse(lines()[0]!)).toEqual({ id: 6, result: null, error: 'rpc: deadline must be milliseconds since the Unix epoch' });
    socket.destroy();
  });
});

describe('JSON-RPC bounds', () => {
  it('when a request nests deeper than allowed, closes the connection', async () => {
    const { socket, closed } = await open();
    socket.write(`{"method":"Echo.Say","params":[${'['.repeat(20)}`);
    await closed;
  });

  it('when a request is larger than allowed, closes the connection before it ends', async () => {
    const { socket, closed } = await open();
    socket.write(`{"method":"Echo.Say","params":["${'x'.repeat(8_000)}`);
    await closed;
  });

  it('when half a request is sent and the rest never comes, closes the connection after the frame deadline', async () => {
    const { socket, closed } = await open();
    socket.write('{"method":"Echo.Say","par');
    await closed;
  });

  it('when a connection sends nothing, closes it after the idle timeout', async () => {
    const { closed } = await open();
    await closed;
  });

  it('when more clients connect than allowed, closes the extra ones and serves again once they go', async () => {
    const held = await Promise.all([open(), open(), open()]);
    const extra = await open();
    await extra.closed;
    held.forEach(({ socket }) => socket.destroy());
    await vi.waitUntil(() => server.openConnections === 0, { timeout: 5_000 });
    const again = await open();
    again.socket.write('{"method":"Echo.Say","params":[1],"id":1}');
    await vi.waitUntil(() => again.lines().length === 1, { timeout: 5_000 });
    again.socket.destroy();
  });

  it('when a client sends more calls than may run at once, runs two at a time and answers all', async () => {
    const { socket, lines } = await open();
    started = 0;
    for (let id = 0; id < 5; id++) socket.write(`{"method":"Echo.Wait","params":[0],"id":${id}}`);
    await vi.waitUntil(() => started === 2, { timeout: 5_000 });
    expect(started).toBe(2);
    while (lines().length < 5) {
      const waiting = release;
      release = [];
      waiting.forEach((done) => done());
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(started - lines().length).toBeLessThanOrEqual(2);
    }
    expect(lines()).toHaveLength(5);
    socket.destroy();
  });
});
