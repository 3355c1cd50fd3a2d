import { connect } from 'node:net';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execaNode } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, createHttpApp, createLogger, HTTP_LIMITS, listen, reply } from '../src/index.js';

const fixture = new URL('./fixtures/crashing-service.ts', import.meta.url).pathname;

/** Runs the crashing fixture under tsx and returns how it ended. */
async function runCrashing(crash: string): Promise<{ code: number | undefined; stdout: string }> {
  const { exitCode, stdout } = await execaNode(fixture, { nodeOptions: ['--import', 'tsx'], env: { CRASH: crash, LOG_PRETTY: 'false' }, timeout: 30_000, reject: false });
  return { code: exitCode, stdout };
}

describe('a service that crashes', () => {
  for (const [crash, kind] of [
    ['exception', 'uncaught exception: a bug nobody caught'],
    ['rejection', 'unhandled rejection: a promise nobody awaited'],
  ] as const) {
    it(`when it meets an ${crash === 'exception' ? 'uncaught exception' : 'unhandled rejection'}, logs one fatal line, runs its closers and exits 1`, async () => {
      const { code, stdout } = await runCrashing(crash);

      expect(code).toBe(1);
      const lines = stdout.split('\n').filter(Boolean);
      const fatal = lines.map((line) => (line.startsWith('{') ? (JSON.parse(line) as { level: number; msg: string }) : undefined)).filter((l) => l?.level === 60);
      expect(fatal.map((l) => l!.msg)).toEqual([`${kind}; exiting`]);
      expect(lines).toContain('the closer ran');
    });
  }
});

describe('the bounds of an HTTP port', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    const logger = createLogger('test', { level: 'silent', pretty: false });
    const app = createHttpApp({ logger }, (express) => express.get('/hello', (_req, res) => reply(res, 200, 'hello')));
    server = await listen(app, 0, { host: '127.0.0.1' });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await closeServer(server);
  });

  it('when a client sends its headers a byte at a time, closes the connection soon after the headers deadline', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.write('X'), 500);
    const started = Date.now();
    socket.resume();
    await once(socket, 'close');
    clearInterval(drip);

    // Generous: the deadline is 10 s, checked each second; Node's defaults took 84 s here.
    expect(Date.now() - started).toBeLessThan(HTTP_LIMITS.headersTimeoutMs + 15_000);
  }, 60_000);

  it('when the headers are larger than 16 KiB, answers 431', async () => {
    const headers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`x-h${i}`, 'v'.repeat(500)]));
    const response = await fetch(`http://127.0.0.1:${port}/hello`, { headers });
    expect(response.status).toBe(431);
  });
});
