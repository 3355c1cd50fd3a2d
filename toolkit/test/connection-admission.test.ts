import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { connect, type AddressInfo, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { admitConnections, closeServer, createHttpApp, createLogger, listen, metricsRegistry, reply, type AdmissionOptions } from '../src/index.js';

// A real server and real sockets: which connection the admission closes is what the kernel then tells the client.
let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((socket) => socket.destroy());
  server?.closeAllConnections();
  if (server) await closeServer(server);
  server = undefined;
});

/** Requests to /hold wait until `release()`; /hello answers at once. */
const held: (() => void)[] = [];
const release = () => held.splice(0).forEach((answer) => answer());

async function startServer(options: Omit<AdmissionOptions, 'logger'> & { lines?: string[] }): Promise<number> {
  server = createServer((req, res) => {
    const answer = () => res.end('hello');
    if (req.url === '/hold') held.push(answer);
    else req.resume().on('end', answer);
  });
  const logger = pino({ level: 'warn' }, { write: (line: string) => options.lines?.push(line) });
  admitConnections(server, { ...options, logger });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Client {
  socket: Socket;
  closed: Promise<void>;
  isClosed: () => boolean;
  received: () => string;
}

async function open(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  let received = '';
  let closed = false;
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  const closedPromise = new Promise<void>((resolve) => socket.once('close', () => resolve(void (closed = true))));
  await once(socket, 'connect');
  return { socket, closed: closedPromise, isClosed: () => closed, received: () => received };
}

/** A connection that has had one reply and stays open, kept alive, with no request on it. */
async function idle(port: number): Promise<Client> {
  const client = await open(port);
  client.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
  await expect.poll(() => client.received(), { timeout: 10_000 }).toContain('hello');
  return client;
}

/** A connection whose request has arrived and waits for its reply (until release()). */
async function busy(port: number): Promise<Client> {
  const client = await open(port);
  const before = held.length;
  client.socket.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
  await expect.poll(() => held.length, { timeout: 10_000 }).toBe(before + 1);
  return client;
}

/** A new connection's request is answered (or the connection is closed first). */
async function served(port: number): Promise<boolean> {
  const client = await open(port);
  client.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await client.closed;
  return client.received().startsWith('HTTP/1.1 200');
}

async function shedCount(reason: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('http_connections_shed_total')!.get();
  return metric.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

describe('connection admission at the limit', () => {
  it('when a new connection comes, closes the keep-alive connection idle longest and serves the new one', async () => {
    const port = await startServer({ maxConnections: 3 });
    const [oldest, ...others] = [await idle(port), await idle(port), await idle(port)];
    const before = await shedCount('idle');

    expect(await served(port)).toBe(true);

    await oldest!.closed;
    expect(others.map((client) => client.isClosed())).toEqual([false, false]);
    expect((await shedCount('idle')) - before).toBe(1);
  });

  it('when no connection is idle, closes the one sending its headers longest once past the grace', async () => {
    const port = await startServer({ maxConnections: 3, graceMs: 0 });
    const slowest = await open(port);
    slowest.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: a');
    const slower = await open(port);
    slower.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: a');
    const answering = await busy(port);
    const before = await shedCount('slow');

    expect(await served(port)).toBe(true);

    await slowest.closed;
    expect([slower.isClosed(), answering.isClosed()]).toEqual([false, false]);
    expect((await shedCount('slow')) - before).toBe(1);
    release();
  });

  it('when a connection sends its body slowly, it counts as slow; one whose request has arrived does not', async () => {
    const port = await startServer({ maxConnections: 2, graceMs: 0 });
    const answering = await busy(port);
    const slowBody = await open(port);
    slowBody.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"half":');

    expect(await served(port)).toBe(true);

    await slowBody.closed;
    expect(answering.isClosed()).toBe(false);
    release();
  });

  it('when every other connection is answering a request or just opened, refuses the new one and keeps them', async () => {
    const port = await startServer({ maxConnections: 2, graceMs: 60_000 });
    const answering = await busy(port);
    const justOpened = await open(port);
    const before = await shedCount('refused');

    const refused = await open(port);
    await refused.closed;

    expect(refused.received()).toBe('');
    expect([answering.isClosed(), justOpened.isClosed()]).toEqual([false, false]);
    expect((await shedCount('refused')) - before).toBe(1);
    release();
  });

  it('when connections are shed, logs the first at once, then one line for the ones within the interval, with their counts', async () => {
    const lines: string[] = [];
    const port = await startServer({ maxConnections: 1, graceMs: 60_000, logIntervalMs: 3_000, lines });
    await busy(port);
    const logged = () => lines.map((line) => JSON.parse(line) as { closedIdle: number; closedSlow: number; refused: number; maxConnections: number; msg: string });

    await (await open(port)).closed;
    await expect.poll(() => logged().length, { timeout: 10_000 }).toBe(1);
    for (let i = 0; i < 3; i++) await (await open(port)).closed;
    await expect.poll(() => logged().length, { timeout: 20_000 }).toBe(2);

    expect(logged().map(({ refused, closedIdle, closedSlow }) => ({ refused, closedIdle, closedSlow }))).toEqual([
      { refused: 1, closedIdle: 0, closedSlow: 0 },
      { refused: 3, closedIdle: 0, closedSlow: 0 },
    ]);
    expect(logged()[0]!.msg).toBe('at the connection limit (1): closed 0 idle and 0 slow connections, refused 1 new ones');
    release();
  });
});

describe('listen()', () => {
  it('when a service is at MAX_CONNECTIONS, a new client is still served and /metrics shows what was shed', async () => {
    const logger = createLogger('test', { level: 'silent', pretty: false });
    const app = createHttpApp({ logger }, (express) => express.get('/hello', (_req, res) => reply(res, 200, 'hello')));
    server = await listen(app, 0, { host: '127.0.0.1', maxConnections: 2 });
    const port = (server.address() as AddressInfo).port;
    await idle(port);
    await idle(port);

    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);

    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^http_connections_shed_total\{reason="idle"\} [1-9]/m);
    expect(text).toMatch(/^http_connections_open \d+/m);
  });
});
