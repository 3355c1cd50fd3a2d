import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEADLINE_HEADER } from '@go-micro/contracts';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { logBody, startBroker } from './broker-harness.js';
import { startGrpcLogger, startRpcLogger, type GrpcLoggerStandIn, type RpcLoggerStandIn } from './logger-stand-ins.js';

// What every log call to the logger carries beside the entry: its deadline, and the client's Idempotency-Key.
const TIMEOUT_MS = 4_000;
let rpcLogger: RpcLoggerStandIn;
let grpcLogger: GrpcLoggerStandIn;
let restLogger: StandIn;
let broker: RunningApp;

beforeAll(async () => {
  rpcLogger = await startRpcLogger();
  grpcLogger = await startGrpcLogger();
  restLogger = await startStandIn(() => envelope(202, 'logged'));
  broker = await startBroker({ rpcAddress: rpcLogger.address, grpcAddress: grpcLogger.address, loggerUrl: restLogger.url, timeoutMs: TIMEOUT_MS });
});
afterAll(async () => {
  await broker?.close();
  grpcLogger?.close();
  await Promise.all([rpcLogger?.close(), restLogger?.close()]);
});

const withKey = (key: string) => ({ 'content-type': 'application/json', 'idempotency-key': key });

describe('broker log calls: deadline and Idempotency-Key', () => {
  it('over JSON-RPC, sends the key and a deadline a little before its own timeout as members of the request', async () => {
    const name = uniqueName('rpc-key');
    const key = uniqueName('key');
    const before = Date.now();

    const { status } = await postJSON(`${broker.url}/handle`, logBody(name), withKey(key));

    expect(status).toBe(202);
    const index = rpcLogger.calls.findIndex((call) => (call as { Name?: string }).Name === name);
    const { deadline, idempotencyKey } = rpcLogger.extras[index]!;
    expect(idempotencyKey).toBe(key);
    expect(deadline).toBeGreaterThan(before);
    expect(deadline).toBeLessThan(Date.now() + TIMEOUT_MS);
  });

  it("over gRPC, sends the key in the metadata, and gRPC's own deadline", async () => {
    const name = uniqueName('grpc-key');
    const key = uniqueName('key');
    const before = Date.now();

    const { status } = await postJSON(`${broker.url}/log-grpc`, logBody(name), withKey(key));

    expect(status).toBe(202);
    const call = grpcLogger.calls.find((c) => c.request.logEntry?.name === name)!;
    expect(call.idempotencyKey).toBe(key);
    expect(Number(call.deadline)).toBeGreaterThan(before);
    // gRPC sends it as a time left, which the server adds to its own clock (rounded up to a unit).
    expect(Number(call.deadline)).toBeLessThan(Date.now() + TIMEOUT_MS + 1_000);
  });

  it(`over REST, sends the key as Idempotency-Key and the deadline as ${DEADLINE_HEADER}, in milliseconds since the epoch`, async () => {
    const name = uniqueName('rest-key');
    const key = uniqueName('key');
    const before = Date.now();

    const { status } = await postJSON(`${broker.url}/log-http`, logBody(name), withKey(key));

    expect(status).toBe(202);
    const posted = restLogger.received.find((request) => (request.body as { name?: string }).name === name)!;
    expect(posted.headers['idempotency-key']).toBe(key);
    const deadline = Number(posted.headers[DEADLINE_HEADER]);
    expect(deadline).toBeGreaterThan(before);
    expect(deadline).toBeLessThan(Date.now() + TIMEOUT_MS);
  });

  it('without a key, sends none, and still a deadline', async () => {
    const name = uniqueName('no-key');

    await postJSON(`${broker.url}/handle`, logBody(name));

    const index = rpcLogger.calls.findIndex((call) => (call as { Name?: string }).Name === name);
    expect(rpcLogger.extras[index]).toEqual({ deadline: expect.any(Number) });
  });

  it("lets the test page's origin send Idempotency-Key (the preflight allows it)", async () => {
    const preflight = await fetch(`${broker.url}/log-http`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8081', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
    });
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Idempotency-Key/);
  });

  it.each(['/handle', '/log-grpc', '/log-rabbit', '/log-http'])('when the Idempotency-Key of %s is not 1-128 letters, digits or . _ : -, answers 400 and sends nothing', async (path) => {
    const name = uniqueName('bad-key');

    for (const key of ['has space', 'x'.repeat(129), 'slash/ed']) {
      const { status, body } = await postJSON(`${broker.url}${path}`, logBody(name), withKey(key));
      expect([status, body]).toEqual([400, { error: true, message: 'Idempotency-Key must be 1-128 letters, digits or . _ : -' }]);
    }
    expect(rpcLogger.calls.some((call) => (call as { Name?: string }).Name === name)).toBe(false);
    expect(grpcLogger.calls.some((call) => call.request.logEntry?.name === name)).toBe(false);
    expect(restLogger.received.some((request) => (request.body as { name?: string }).name === name)).toBe(false);
  });
});
