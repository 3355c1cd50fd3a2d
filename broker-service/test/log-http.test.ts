import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { logBody, startBroker } from './broker-harness.js';

let logger: StandIn;
let stalledLogger: StandIn;
let broker: RunningApp;
let brokerToNothing: RunningApp;
let brokerToSlow: RunningApp;

beforeAll(async () => {
  // logger-service's POST /log, stood in for: it takes every entry.
  logger = await startStandIn(() => envelope(202, 'logged'));
  broker = await startBroker({ loggerUrl: logger.url });
  brokerToNothing = await startBroker({ loggerUrl: `http://127.0.0.1:${await freePort()}` });
  stalledLogger = await startStandIn(() => new Promise(() => {}));
  brokerToSlow = await startBroker({ loggerUrl: stalledLogger.url, timeoutMs: 300 });
});
afterAll(async () => {
  await Promise.all([broker, brokerToNothing, brokerToSlow].map((app) => app?.close()));
  await Promise.all([logger, stalledLogger].map((standIn) => standIn?.close()));
});

describe('broker POST /log-http', () => {
  it('when the logger is up, posts the entry to /log with the request id and answers 202 logged', async () => {
    const name = uniqueName('http');
    const requestId = uniqueName('req');

    const { status, body } = await postJSON(`${broker.url}/log-http`, logBody(name, 'over REST'), {
      'content-type': 'application/json',
      'x-request-id': requestId,
    });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'logged' });
    const posted = logger.received.filter((request) => (request.body as { name?: string }).name === name);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ method: 'POST', path: '/log', body: { name, data: 'over REST' } });
    expect(posted[0]!.headers['x-request-id']).toBe(requestId);
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
