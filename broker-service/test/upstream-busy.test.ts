import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { logBody, startBroker } from './broker-harness.js';

// The logger's POST /log, stood in for by one that holds every entry until the test lets it answer.
let slowLogger: StandIn;
let mail: StandIn;
let broker: RunningApp;
const waiting: (() => void)[] = [];

beforeAll(async () => {
  slowLogger = await startStandIn(() => new Promise((resolve) => waiting.push(() => resolve(envelope(202, 'logged')))));
  mail = await startStandIn(() => envelope(202, 'sent'));
  broker = await startBroker({ loggerUrl: slowLogger.url, mailUrl: mail.url, maxInFlight: 2, timeoutMs: 30_000 });
});
afterAll(async () => {
  waiting.splice(0).forEach((answer) => answer());
  await broker?.close();
  await Promise.all([slowLogger, mail].map((standIn) => standIn?.close()));
});

describe('broker calls to one slow dependency', () => {
  it('when as many calls as allowed wait on the logger, the next log request answers 503 "logger-service is busy" at once, over any transport, and other routes are answered', async () => {
    const inFlight = [postJSON(`${broker.url}/log-http`, logBody(uniqueName('held'))), postJSON(`${broker.url}/log-http`, logBody(uniqueName('held')))];
    await expect.poll(() => waiting.length, { timeout: 10_000 }).toBe(2);

    const overHttp = await postJSON(`${broker.url}/log-http`, logBody(uniqueName('busy')));
    // JSON-RPC leads nowhere here: "busy", not "unavailable", shows it waits behind the same bound.
    const overRpc = await postJSON(`${broker.url}/handle`, logBody(uniqueName('busy')));
    const mailed = await postJSON(`${broker.url}/handle`, { action: 'mail', mail: { from: 'me@example.com', to: 'you@there.com', subject: 'hi', message: 'x' } });
    const hit = await postJSON(`${broker.url}/`);

    for (const busy of [overHttp, overRpc]) {
      expect([busy.status, busy.body.message, busy.headers.get('retry-after')]).toEqual([503, 'logger-service is busy; try again in 1 s', '1']);
    }
    expect([mailed.status, hit.status]).toEqual([202, 200]);
    expect(slowLogger.received).toHaveLength(2);
    waiting.splice(0).forEach((answer) => answer());
    expect((await Promise.all(inFlight)).map((reply) => reply.status)).toEqual([202, 202]);
  });
});
