import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import type { SharedMailCatcher } from '@go-micro/testkit/mail-catcher.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { createApp } from '../src/app.js';
import { Mailer } from '../src/mailer.js';
import { allowedSenders, senderPolicy } from '../src/senders.js';
import { loadTemplates, type RenderMail } from '../src/templates.js';

const logger = createLogger('mail-service', { level: 'silent', pretty: false });
// These tests send mail through POST /send only; no sign-up is ever welcomed.
const noWelcomeMails = { find: async () => undefined };

let render: RenderMail;
let catcher: SharedMailCatcher;
let mailer: Mailer;
let app: RunningApp;

function mailerFor(host: string, port: number, timeoutMs = 3_000): Mailer {
  const settings = {
    host, port, encryption: 'none' as const, username: '', password: '', domain: 'mail.test',
    fromAddress: 'john.smith@example.com', fromName: 'John Smith', timeoutMs, maxConnections: 5,
  };
  return new Mailer(settings, render, logger);
}

beforeAll(async () => {
  render = await loadTemplates();
  catcher = sharedMailCatcher();
  mailer = mailerFor(catcher.smtpHost, catcher.smtpPort);
  app = await startApp(createApp({ logger, sendMail: mailer.send, welcomeMails: noWelcomeMails }));
});
afterAll(async () => {
  await app?.close();
  mailer?.close();
});

const send = (body: unknown, url = app.url) => postJSON(`${url}/send`, body);
const uniqueRecipient = () => `you-${randomUUID()}@there.com`;
const sentTo = (to: string) => catcher.waitForMessage((m) => m.to.some((a) => a.address === to));
/** The message as it went over SMTP, headers included; the testkit client reads only the parsed parts. */
const rawSource = async (id: string) =>
  (await fetch(`${catcher.apiUrl}/api/v1/message/${encodeURIComponent(id)}/raw`, { signal: AbortSignal.timeout(5_000) })).text();

describe('POST /send', () => {
  it("when the page's Test Mail payload is posted, answers 202 and the catcher gets it from me@example.com as John Smith", async () => {
    const payload = { from: 'me@example.com', to: 'you@there.com', subject: 'Test email', message: 'Hello world!' };
    // The catcher is shared and the payload fixed: only a message caught after this point is ours.
    const before = new Set((await catcher.listMessages()).map((m) => m.id));

    const { status, body } = await send(payload);

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'sent to you@there.com' });
    const caught = await catcher.waitForMessage(
      (m) => !before.has(m.id) && m.subject === 'Test email' && m.to.some((a) => a.address === 'you@there.com'),
    );
    expect(caught.from).toEqual({ name: 'John Smith', address: 'me@example.com' });
    expect(caught.to).toEqual([{ name: '', address: 'you@there.com' }]);
    expect(caught.text).toContain('Hello world!');
    expect(caught.html).toContain('Hello world!');
  });

  it('sends a multipart/alternative mail whose HTML part has its CSS inlined and no <style> block left', async () => {
    const to = uniqueRecipient();

    await send({ to, subject: `Layout ${to}`, message: 'Styled' });

    const caught = await sentTo(to);
    const raw = await rawSource(caught.id);
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/im);
    expect(raw).toMatch(/^Content-Type: text\/plain/im);
    expect(raw).toMatch(/^Content-Type: text\/html/im);
    expect(raw).toMatch(/^Message-ID: <[^@>]+@mail\.test>/im);
    expect(caught.html).not.toMatch(/<style/i);
    expect(caught.html).toMatch(/<p class="message" style="[^"]*margin: 0/);
    expect(caught.text.trim()).toMatch(/^Styled/);
  });

  it('when the message looks like HTML, it arrives as text: escaped in the HTML part, as written in the plain part', async () => {
    const to = uniqueRecipient();
    const message = '<script>alert("x")</script><b>bold</b>';

    await send({ to, subject: `Escaping ${to}`, message });

    const caught = await sentTo(to);
    expect(caught.html).not.toContain('<script>');
    expect(caught.html).not.toContain('<b>bold');
    expect(caught.html).toContain('&lt;script&gt;');
    expect(caught.text).toContain(message);
  });

  it('keeps the line breaks of the message in both parts', async () => {
    const to = uniqueRecipient();

    await send({ to, subject: `Lines ${to}`, message: 'first line\nsecond line\r\nthird line' });

    const caught = await sentTo(to);
    expect(caught.html).toMatch(/first line<br>\s*second line<br>\s*third line/);
    expect(caught.text).toMatch(/first line\r?\nsecond line\r?\nthird line/);
  });

  it.each([
    ['empty', { from: '' }],
    ['missing', {}],
  ])('when from is %s, sends from FROM_ADDRESS as FROM_NAME', async (_case, from) => {
    const to = uniqueRecipient();

    const { status } = await send({ ...from, to, subject: `Defaults ${to}`, message: 'Hi' });

    expect(status).toBe(202);
    expect((await sentTo(to)).from).toEqual({ name: 'John Smith', address: 'john.smith@example.com' });
  });
});

describe('who may send, and how much', () => {
  it('when from is not an allowed sender, answers 403 and sends nothing', async () => {
    const to = uniqueRecipient();

    const { status, body } = await send({ from: 'ceo@bank.example', to, subject: `Forged ${to}`, message: 'Pay this invoice' });

    expect(status).toBe(403);
    expect(body).toEqual({ error: true, message: 'from: this address may not send mail here' });
    await expect(catcher.waitForMessage((m) => m.to.some((a) => a.address === to), 1_000)).rejects.toThrow(/timed out/);
  });

  it('when MAIL_ALLOWED_FROM names a domain, any address of it may send, in any case', async () => {
    const policy = senderPolicy(['@example.org', 'one@example.net']);
    expect([policy('news@example.org'), policy('ONE@example.net'), policy('two@example.net'), policy('me@example.com')]).toEqual([true, true, false, false]);
  });

  it('in production with nothing configured, only FROM_ADDRESS may send; in development the page\'s me@example.com too', () => {
    expect(allowedSenders({ DEPLOY_ENV: 'production', FROM_ADDRESS: 'john.smith@example.com' })).toEqual(['john.smith@example.com']);
    expect(allowedSenders({ DEPLOY_ENV: 'development', FROM_ADDRESS: 'john.smith@example.com' })).toEqual(['john.smith@example.com', 'me@example.com']);
  });

  it('when more mails are asked for in a minute than the service sends, answers 429 with Retry-After', async () => {
    const capped = await startApp(createApp({ logger, sendMail: mailer.send, welcomeMails: noWelcomeMails, maxPerMinute: 2 }));
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await send({ to: uniqueRecipient(), subject: 'Capped', message: 'Hi' }, capped.url));
      expect(statuses.map((r) => r.status)).toEqual([202, 202, 429]);
      expect(Number(statuses[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await capped.close();
    }
  });
});

describe('POST /send validation', () => {
  const valid = () => ({ from: 'me@example.com', to: uniqueRecipient(), subject: 'Valid', message: 'Hi' });

  it.each(['Hi\r\nBcc: victim@example.com', 'Hi\nX-Injected: yes', 'Hi\rthere'])(
    'when the subject holds a line break (%j), answers 400 naming subject',
    async (subject) => {
      const { status, body } = await send({ ...valid(), subject });
      expect(status).toBe(400);
      expect(body).toEqual({ error: true, message: 'subject: must not contain line breaks' });
    },
  );

  it.each(['a@example.com, b@example.com', 'a@example.com;b@example.com', 'not an address', 'Eve <eve@example.com>', ''])(
    'when to is %j, answers 400 naming to',
    async (to) => {
      const { status, body } = await send({ ...valid(), to });
      expect(status).toBe(400);
      expect(body).toEqual({ error: true, message: 'to: must be a single email address' });
    },
  );

  it('when from is not a single address, answers 400 naming from', async () => {
    const { status, body } = await send({ ...valid(), from: 'me@example.com, boss@example.com' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'from: must be a single email address' });
  });

  it('when the message is missing, answers 400 naming message', async () => {
    const { message: _message, ...withoutMessage } = valid();
    const { status, body } = await send(withoutMessage);
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'message: must be a string' });
  });

  it('when the message is over 64 KiB, answers 400 naming message', async () => {
    const { status, body } = await send({ ...valid(), message: 'x'.repeat(64 * 1024 + 1) });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'message: must be at most 64 KiB' });
  });

  it('when the subject is over 255 characters, answers 400 naming subject', async () => {
    const { status, body } = await send({ ...valid(), subject: 's'.repeat(256) });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'subject: must be at most 255 characters' });
  });
});

describe('POST /send when the mail server is slow', () => {
  let silent: Server;
  const held: Socket[] = [];
  let slowApp: RunningApp;
  let slowMailer: Mailer;

  beforeAll(async () => {
    // Accepts connections and never says a word: an SMTP server that hangs before its greeting.
    silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    slowMailer = mailerFor('127.0.0.1', port, 500);
    slowApp = await startApp(createApp({ logger, sendMail: slowMailer.send, welcomeMails: noWelcomeMails }));
  });
  afterAll(async () => {
    await slowApp?.close();
    slowMailer?.close();
    held.forEach((socket) => socket.destroy());
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('answers 504 mail server did not answer in time, within a bounded time', async () => {
    const started = Date.now();

    const { status, body } = await send({ to: uniqueRecipient(), subject: 'Slow', message: 'Hi' }, slowApp.url);

    expect(status).toBe(504);
    expect(body).toEqual({ error: true, message: 'mail server did not answer in time' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
