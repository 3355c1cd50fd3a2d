import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { createApp as createMailApp } from '../../mail-service/src/app.js';
import { Mailer } from '../../mail-service/src/mailer.js';
import { loadTemplates } from '../../mail-service/src/templates.js';
import { startMailCatcher, type MailCatcher } from '@go-micro/testkit/mail-catcher.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { startBroker } from './broker-harness.js';

const logger = createLogger('test', { level: 'silent', pretty: false });

let catcher: MailCatcher;
let mailer: Mailer;
let mailService: RunningApp;
let broker: RunningApp;
let brokerWithMailDown: RunningApp;

beforeAll(async () => {
  catcher = await startMailCatcher();
  const settings = {
    host: catcher.smtpHost, port: catcher.smtpPort, encryption: 'none' as const, username: '', password: '',
    domain: 'localhost', fromAddress: 'john.smith@example.com', fromName: 'John Smith', timeoutMs: 3_000,
  };
  mailer = new Mailer(settings, await loadTemplates(), logger);
  mailService = await startApp(createMailApp({ logger, sendMail: mailer.send }));
  broker = await startBroker({ mailUrl: mailService.url });

  // An address where nothing listens: a started-then-closed server's port.
  const closed = await startApp(createMailApp({ logger, sendMail: mailer.send }));
  await closed.close();
  brokerWithMailDown = await startBroker({ mailUrl: closed.url });
});
afterAll(async () => {
  await Promise.all([broker, brokerWithMailDown, mailService].map((a) => a?.close()));
  mailer?.close();
  await catcher?.stop();
});

// The page's Test Mail button, exactly.
const testMail = { from: 'me@example.com', to: 'you@there.com', subject: 'Test email', message: 'Hello world!' };

describe('broker POST /handle action mail', () => {
  it('when the page sends its Test Mail payload, answers 202 Message sent to you@there.com and the mail is caught', async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'mail', mail: testMail });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'Message sent to you@there.com' });
    const caught = await catcher.waitForMessage((m) => m.subject === 'Test email' && m.to.some((a) => a.address === 'you@there.com'));
    expect(caught.from).toEqual({ name: 'John Smith', address: 'me@example.com' });
    expect(caught.text).toContain('Hello world!');
  });

  it('when mail-service is down, answers 503 mail-service is unavailable', async () => {
    const { status, body } = await postJSON(`${brokerWithMailDown.url}/handle`, { action: 'mail', mail: testMail });

    expect(status).toBe(503);
    expect(body).toEqual({ error: true, message: 'mail-service is unavailable' });
  });

  it("when the recipient is not an address, passes on mail-service's 400 naming to", async () => {
    const { status, body } = await postJSON(`${broker.url}/handle`, { action: 'mail', mail: { ...testMail, to: 'not an address' } });

    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'to: must be a single email address' });
  });
});
