import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, runWithRequestId } from '../src/index.js';
import { ServiceClient } from '../src/client.js';

// A stand-in upstream in a unit test of the client itself: it lets each test choose how the upstream misbehaves.
let upstream: Server | undefined;
function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  upstream = createServer(handler);
  return new Promise((resolve) => upstream!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(upstream!.address() as AddressInfo).port}`)));
}
afterEach(() => {
  upstream?.closeAllConnections();
  upstream?.close();
  upstream = undefined;
});

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe('ServiceClient', () => {
  it('when the service answers an envelope, returns it with the status, forwarding the request id', async () => {
    let seenId: string | undefined;
    const url = await serve((req, res) => {
      seenId = req.headers['x-request-id'] as string;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":true,"message":"invalid credentials"}');
    });
    const client = new ServiceClient({ name: 'auth', baseUrl: url });
    const reply = await runWithRequestId('req-1', () => client.post('/x', {}));
    expect(reply).toEqual({ status: 401, envelope: { error: true, message: 'invalid credentials' } });
    expect(seenId).toBe('req-1');
  });

  it('when nothing listens, throws 503 naming the service', async () => {
    const url = await serve(() => undefined);
    upstream!.close();
    const err = await failure(new ServiceClient({ name: 'auth', baseUrl: url }).post('/x', {}));
    expect(err.status).toBe(503);
    expect(err.message).toBe('auth is unavailable');
  });

  it('when the service is too slow, throws 504 within the timeout', async () => {
    const url = await serve(() => undefined); // never answers
    const started = Date.now();
    const err = await failure(new ServiceClient({ name: 'auth', baseUrl: url, timeoutMs: 200 }).post('/x', {}));
    expect(err.status).toBe(504);
    expect(err.message).toBe('auth did not answer in time');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('when the answer is not an envelope, throws 502 bad answer', async () => {
    const url = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    const err = await failure(new ServiceClient({ name: 'auth', baseUrl: url }).post('/x', {}));
    expect(err.status).toBe(502);
    expect(err.message).toBe('auth gave a bad answer (status 200)');
  });

  it("when the service says its own dependency is down (503) or too slow (504), passes the status on with the service's words", async () => {
    for (const status of [503, 504]) {
      const url = await serve((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":true,"message":"MongoDB is unavailable"}'));
      const err = await failure(new ServiceClient({ name: 'logger', baseUrl: url }).post('/x', {}));
      expect(err.status).toBe(status);
      expect(err.message).toBe('logger failed: MongoDB is unavailable');
      upstream?.close();
    }
  });

  it('when the service answers 429 with Retry-After, call() throws a 429 that keeps it', async () => {
    const url = await serve((_req, res) =>
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '42' }).end('{"error":true,"message":"too many login attempts; try again in 42 s"}'),
    );
    const err = await failure(new ServiceClient({ name: 'auth', baseUrl: url }).call('/x', {}));
    expect(err.status).toBe(429);
    expect(err.retryAfterSeconds).toBe(42);
  });

  it('when the service fails with a 5xx envelope, throws 502 carrying its message', async () => {
    const url = await serve((_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":true,"message":"database down"}'));
    const err = await failure(new ServiceClient({ name: 'auth', baseUrl: url }).post('/x', {}));
    expect(err.status).toBe(502);
    expect(err.message).toBe('auth failed: database down');
  });
});
