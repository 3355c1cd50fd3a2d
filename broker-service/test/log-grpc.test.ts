import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { logBody, startBroker } from './broker-harness.js';
import { startGrpcLogger, type GrpcLoggerStandIn } from './logger-stand-ins.js';

let logger: GrpcLoggerStandIn;
let slowLogger: GrpcLoggerStandIn;
let broker: RunningApp;
let brokerToNothing: RunningApp;
let brokerToSlow: RunningApp;

beforeAll(async () => {
  logger = await startGrpcLogger();
  broker = await startBroker({ grpcAddress: logger.address });
  brokerToNothing = await startBroker({ grpcAddress: `127.0.0.1:${await freePort()}` });
  slowLogger = await startGrpcLogger({ hold: true });
  brokerToSlow = await startBroker({ grpcAddress: slowLogger.address, timeoutMs: 300 });
});
afterAll(async () => {
  await Promise.all([broker, brokerToNothing, brokerToSlow].map((app) => app?.close()));
  logger?.close();
  slowLogger?.close();
});

describe('broker POST /log-grpc', () => {
  it('when the logger is up, calls WriteLog with the entry and the request id in the metadata, and answers 202 logged', async () => {
    const name = uniqueName('grpc');
    const requestId = uniqueName('req');

    const { status, body } = await postJSON(`${broker.url}/log-grpc`, logBody(name, 'Some kind of gRPC data'), {
      'content-type': 'application/json',
      'x-request-id': requestId,
    });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'logged' });
    expect(logger.calls.filter((call) => call.request.logEntry?.name === name).map(({ request, requestId }) => ({ request, requestId }))).toEqual([
      { request: { logEntry: { name, data: 'Some kind of gRPC data' } }, requestId },
    ]);
  });

  it('when the logger is down, answers 503 naming it, promptly', async () => {
    const started = Date.now();

    const { status, body } = await postJSON(`${brokerToNothing.url}/log-grpc`, logBody(uniqueName('grpc-down')));

    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'logger-service is unavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('when the logger does not answer before the deadline, answers 504 naming it', async () => {
    const { status, body } = await postJSON(`${brokerToSlow.url}/log-grpc`, logBody(uniqueName('grpc-slow')));

    expect(status).toBe(504);
    expect(body).toEqual({ error: true, message: 'logger-service did not answer in time' });
  });

  it('when the log payload is missing, answers 400 naming it', async () => {
    const { status, body } = await postJSON(`${broker.url}/log-grpc`, { action: 'log' });

    expect(status).toBe(400);
    expect(body.message).toMatch(/^log: /);
  });
});
