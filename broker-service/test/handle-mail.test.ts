import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON, type RunningApp } from '@go-micro/testkit/http.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { startBroker } from './broker-harness.js';

let mailService: StandIn;
let broker: RunningApp;
let brokerWithMailDown: RunningApp;

beforeAll(async () => {
  // mail-service as it answers, stood in for: it sends to a plain address and refuses anything else, naming `to`.
  mailService = await startStandIn(({ path, body }) => {
    const { to } = body as { to?: string };
    if (path !== '/send') return envelope(404, 'not found');
    if (!/^[^\s@,;<>]+@[^\s@,;<>]+$/.test(to ?? '')) return envelope(400, 'to: must be a single email address');
    return envelope(202, `sent to ${to}`);
  });
  broker = await startBroker({ mailUrl: mailService.url });
  // An address where nothing listens.
  brokerWithMailDown = await startBroker({ mailUrl: `http://127.0.0.1:${await freePort()}` });
});
afterAll(async () => {
  await Promise.all([broker, brokerWithMailDown].map((a) => a?.close()));
  await mailService?.close();
});

// The page's Test Mail button, exactly.
const testMail = { from: 'me@example.com', to: 'you@there.com', subject: 'Test email', message: 'Hello world!' };

describe('broker POST /handle action mail', () => {
  it('when the page sends its Test Mail payload, posts it to mail-service as is and answers 202 Message sent to you@there.com', async () => {
    const requestId = `req-${crypto.randomUUID()}`;

    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'mail', mail: testMail }, {
      'content-type': 'application/json',
      'x-request-id': requestId,
    });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'Message sent to you@there.com' });
    const forwarded = mailService.received.find((request) => request.headers['x-request-id'] === requestId);
    expect(forwarded).toMatchObject({ method: 'POST', path: '/send', body: testMail });
  });

  it('when mail-service is down, answers 503 mail-service is unavailable', async () => {
    const { status, body } = await postJSON(`${brokerWithMailDown.url}/handle`, { action: 'mail', mail: testMail });

    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'mail-service is unavailable' });
  });

  it('when one client sends more mails than allowed in a minute, answers 429 with Retry-After and sends no more', async () => {
    const limited = await startBroker({ mailUrl: mailService.url, mailPerMinute: 2 });
    const to = `flood-${crypto.randomUUID()}@there.com`;
    try {
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await postJSON(`${limited.url}/handle`, { action: 'mail', mail: { ...testMail, to } }));

      expect(replies.map((r) => r.status)).toEqual([202, 202, 429]);
      expect(replies[2]!.body.message).toMatch(/^too many mails; try again in \d+ s$/);
      expect(Number(replies[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(mailService.received.filter((r) => (r.body as { to?: string }).to === to)).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });

  it("when the recipient is not an address, passes on mail-service's 400 naming to", async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'mail', mail: { ...testMail, to: 'not an address' } });

    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'to: must be a single email address' });
  });
});
