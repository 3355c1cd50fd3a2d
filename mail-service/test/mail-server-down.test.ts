import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { startMailCatcher, type MailCatcher } from '@go-micro/testkit/mail-catcher.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { Mailer } from '../src/mailer.js';
import { loadTemplates } from '../src/templates.js';

const logger = createLogger('mail-service', { level: 'silent', pretty: false });
// These tests send mail through POST /send only; no sign-up is ever welcomed.
const noWelcomeMails = { find: async () => undefined };

// A Mailpit of this file's own: the test stops it and starts it again.
let catcher: MailCatcher;
let mailer: Mailer;
let app: RunningApp;

beforeAll(async () => {
  catcher = await startMailCatcher();
  const settings = {
    host: catcher.smtpHost, port: catcher.smtpPort, encryption: 'none' as const, username: '', password: '',
    domain: 'mail.test', fromAddress: 'john.smith@example.com', fromName: 'John Smith', timeoutMs: 3_000, maxConnections: 5,
  };
  mailer = new Mailer(settings, await loadTemplates(), logger);
  app = await startApp(createApp({ logger, sendMail: mailer.send, welcomeMails: noWelcomeMails, ready: () => mailer.verify() }));
});
afterAll(async () => {
  await app?.close();
  mailer?.close();
  await catcher?.stop();
});

const mailTo = (to: string) => postJSON(`${app.url}/send`, { to, subject: `Outage ${to}`, message: 'Hi' });
const uniqueRecipient = () => `you-${randomUUID()}@there.com`;

describe('POST /send when the mail server goes away', () => {
  it('answers 503 mail server is unavailable at once, without its address, keeps running, and sends again once the server is back', async () => {
    // A first mail leaves a pooled connection open to the catcher.
    expect((await mailTo(uniqueRecipient())).status).toBe(202);
    const { smtpPort, httpPort } = catcher;
    await catcher.stop();

    const started = Date.now();
    const down = await mailTo(uniqueRecipient());
    const elapsed = Date.now() - started;

    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: true, message: 'mail server is unavailable' });
    const ready = await fetch(`${app.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ error: true, message: 'mail server is unavailable' });
    expect(elapsed).toBeLessThan(3_000);
    expect((await fetch(`${app.url}/ping`)).status).toBe(200);

    catcher = await startMailCatcher({ smtpPort, httpPort });
    const to = uniqueRecipient();
    const back = await mailTo(to);

    expect(back.status).toBe(202);
    expect(back.body).toEqual({ error: false, message: `sent to ${to}` });
    await expect(catcher.waitForMessage((m) => m.to.some((a) => a.address === to))).resolves.toBeDefined();
  });
});
