import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { LogsReader, startLogger, uniqueName, type RunningLogger } from '../../logger-service/test/logger-harness.js';
import { logBody, startBroker } from './broker-harness.js';

let ferret: FerretDB;
let reader: LogsReader;
let logger: RunningLogger;
let slowLogger: RunningLogger;
let broker: RunningApp;
let brokerToNothing: RunningApp;
let brokerToSlow: RunningApp;

beforeAll(async () => {
  ferret = await startFerretDB();
  reader = new LogsReader(ferret.url);
  logger = await startLogger(ferret.url);
  broker = await startBroker({ loggerUrl: logger.url, grpcAddress: logger.grpcAddress });
  const down = await startLogger(ferret.url);
  await down.close();
  brokerToNothing = await startBroker({ loggerUrl: down.url, grpcAddress: down.grpcAddress });
  slowLogger = await startLogger(ferret.url, { writeDelayMs: 2_000 });
  brokerToSlow = await startBroker({ loggerUrl: slowLogger.url, grpcAddress: slowLogger.grpcAddress, timeoutMs: 300 });
});
afterAll(async () => {
  await Promise.all([broker, brokerToNothing, brokerToSlow].map((app) => app?.close()));
  await Promise.all([logger, slowLogger].map((app) => app?.close()));
  await reader?.close();
  await ferret?.stop();
});

const withRequestId = (requestId: string) => ({ 'content-type': 'application/json', 'x-request-id': requestId });

describe('broker POST /log-grpc', () => {
  it('when the logger is up, answers 202 logged, stores the entry and carries the request id in the metadata', async () => {
    const name = uniqueName('grpc');
    const requestId = uniqueName('req');

    const { status, body } = await postJSON(`${broker.url}/log-grpc`, logBody(name, 'Some kind of gRPC data'), withRequestId(requestId));

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'logged' });
    expect(await reader.entries({ name, data: 'Some kind of gRPC data' })).toHaveLength(1);
    expect(logger.requestIds.get(name)).toBe(requestId);
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

describe('broker POST /log-http', () => {
  it('when the logger is up, answers 202 logged, stores the entry and carries the request id', async () => {
    const name = uniqueName('http');
    const requestId = uniqueName('req');

    const { status, body } = await postJSON(`${broker.url}/log-http`, logBody(name, 'over REST'), withRequestId(requestId));

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'logged' });
    expect(await reader.entries({ name, data: 'over REST' })).toHaveLength(1);
    expect(logger.requestIds.get(name)).toBe(requestId);
  });

  it('when the logger is down, answers 503 naming it', async () => {
    const { status, body } = await postJSON(`${brokerToNothing.url}/log-http`, logBody(uniqueName('http-down')));

    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'logger-service is unavailable' });
  });

  it('when the logger is too slow, answers 504 naming it', async () => {
    const { status, body } = await postJSON(`${brokerToSlow.url}/log-http`, logBody(uniqueName('http-slow')));

    expect(status).toBe(504);
    expect(body).toEqual({ error: true, message: 'logger-service did not answer in time' });
  });
});
