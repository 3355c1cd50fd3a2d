import amqplib from 'amqplib';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOG_EXCHANGE } from '@go-micro/contracts';
import { postJSON } from '@go-micro/testkit/http.js';
import { sharedFerretDB, sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type ServiceName, type System } from '@go-micro/testkit/system.js';
import { StoredLogs } from '@go-micro/testkit/stored-logs.js';
import { expectAllAlive, expectNothingStoredOrMailed, MARK } from './hostile-kit.js';

// The whole system as processes, sent what no page of the course sends: bodies too large, too deep or not
// JSON, requests from other sites, floods of logins and mails, forged senders, and queue messages that are no events.
let system: System;
let logs: StoredLogs;

const LIMITS = { loginsPerMinute: 6, failuresPerEmailAndAddress: 3, mailsPerMinute: 3 };

beforeAll(async () => {
  system = await startSystem({
    mongo: sharedFerretDB(),
    mail: sharedMailCatcher(),
    // Lower limits than the defaults, so a flood reaches them in a few requests.
    env: {
      authentication: { LOGIN_PER_MINUTE: String(LIMITS.loginsPerMinute), LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS: String(LIMITS.failuresPerEmailAndAddress) },
      // As behind a proxy on this machine, so that X-Forwarded-For makes many clients of one test
      // (by default the broker believes nobody's: forwarded-for.test.ts).
      broker: { MAIL_PER_MINUTE: String(LIMITS.mailsPerMinute), TRUST_PROXY: 'loopback' },
    },
  });
  logs = new StoredLogs(system.mongo.url);
}, 120_000);
afterAll(async () => {
  await logs?.close();
  await system?.shutdown();
});
afterEach(async () => {
  await expectAllAlive(system);
  await expectNothingStoredOrMailed(system, logs);
}, 60_000);

/** Every route that reads a JSON body, on every service, with a body that would be valid there. */
const JSON_ROUTES: { service: ServiceName; path: string; body: () => unknown }[] = [
  { service: 'broker', path: '/handle', body: () => ({ action: 'log', log: { name: `${MARK}-handle`, data: 'x' } }) },
  { service: 'broker', path: '/log-grpc', body: () => ({ action: 'log', log: { name: `${MARK}-grpc`, data: 'x' } }) },
  { service: 'broker', path: '/log-rabbit', body: () => ({ action: 'log', log: { name: `${MARK}-rabbit`, data: 'x' } }) },
  { service: 'broker', path: '/log-http', body: () => ({ action: 'log', log: { name: `${MARK}-http`, data: 'x' } }) },
  { service: 'authentication', path: '/authenticate', body: () => ({ email: `${MARK}@example.com`, password: 'x' }) },
  { service: 'logger', path: '/log', body: () => ({ name: `${MARK}-rest`, data: 'x' }) },
  { service: 'mail', path: '/send', body: () => ({ to: `${MARK}@there.com`, subject: MARK, message: 'x' }) },
];
const EVERY_SERVICE: ServiceName[] = ['broker', 'authentication', 'logger', 'mail', 'listener', 'front-end'];

const post = (service: ServiceName, path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  postJSON(`${system.url(service)}${path}`, body, headers);

describe('HTTP bodies, on every route that reads one', () => {
  it('when a body is over 1 MiB, answers 413', async () => {
    for (const { service, path, body } of JSON_ROUTES) {
      const large = JSON.stringify({ ...(body() as object), padding: 'x'.repeat(1024 * 1024) });
      const { status, body: reply } = await post(service, path, large);
      expect([status, reply.message], `${service} ${path}`).toEqual([413, 'body must not be larger than 1 MiB']);
    }
  });

  it('when a body nests 100,000 levels deep, answers 400 without parsing it', async () => {
    const deep = `{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    for (const { service, path } of JSON_ROUTES) {
      const { status, body } = await post(service, path, deep);
      expect([status, body.message], `${service} ${path}`).toEqual([400, 'body must not nest deeper than 64 levels']);
    }
  });

  it('when a valid body is sent as a form, text, multipart or with no type, every service answers 415', async () => {
    const types = ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', undefined];
    for (const { service, path, body } of JSON_ROUTES) {
      for (const type of types) {
        const { status } = await post(service, path, JSON.stringify(body()), type ? { 'content-type': type } : {});
        expect(status, `${service} ${path} ${type}`).toBe(415);
      }
    }
    // Also where no route reads a body: a cross-site form reaches nothing.
    for (const service of EVERY_SERVICE) expect((await post(service, '/', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' })).status, service).toBe(415);
  });

  it("when the page's Test Broker button posts no body at all, the broker still answers", async () => {
    const { status, body } = await postJSON(`${system.brokerUrl}/`, undefined, {});
    expect([status, body.message]).toEqual([200, 'Hit the broker']);
  });

  it('when a page of another site asks the broker, it is not allowed to read the reply, and never with credentials', async () => {
    const preflight = await fetch(`${system.brokerUrl}/handle`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const page = await fetch(`${system.brokerUrl}/`, { method: 'POST', headers: { origin: system.pageUrl } });
    expect(page.headers.get('access-control-allow-origin')).toBe(system.pageUrl);
    expect(page.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('logins', () => {
  const auth = (email: string, password: string, from: string) =>
    postJSON(`${system.brokerUrl}/handle`, { action: 'auth', auth: { email, password } }, { 'content-type': 'application/json', 'x-forwarded-for': from });

  it('when one address guesses at one email past the limit, answers it 429 with Retry-After through the broker, even to the right password, and not the owner elsewhere', async () => {
    const statuses = [];
    for (let i = 0; i < LIMITS.failuresPerEmailAndAddress; i++) statuses.push((await auth('admin@example.com', `guess-${i}`, '10.9.0.1')).status);
    const refused = await auth('admin@example.com', 'verysecret', '10.9.0.1');
    const owner = await auth('admin@example.com', 'verysecret', '10.9.1.1');

    expect(statuses).toEqual(Array(LIMITS.failuresPerEmailAndAddress).fill(401));
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/^too many login attempts; try again in \d+ s$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(owner.status).toBe(202);
  });

  it('when one address floods logins for many emails, answers 429 after the limit', async () => {
    const from = `10.8.${Math.floor(Math.random() * 250)}.1`;
    const statuses = [];
    for (let i = 0; i < LIMITS.loginsPerMinute + 2; i++) statuses.push((await auth(`${MARK}-${i}@example.com`, 'x', from)).status);

    expect(statuses).toEqual([...Array(LIMITS.loginsPerMinute).fill(401), 429, 429]);
  });
});

describe('mail', () => {
  const mail = (from: string, to: string, client: string) =>
    postJSON(`${system.brokerUrl}/handle`, { action: 'mail', mail: { from, to, subject: `Flood ${to}`, message: 'x' } }, { 'content-type': 'application/json', 'x-forwarded-for': client });

  it('when a caller forges a From the service does not send as, answers 403 and mails nothing', async () => {
    const { status, body } = await mail('ceo@bank.example', `${MARK}-forged@there.com`, '10.7.0.1');
    expect([status, body.message]).toEqual([403, 'from: this address may not send mail here']);
  });

  it('when one client floods the mail action, the first ones are sent and the rest answered 429 and not sent', async () => {
    const to = `flood-${randomUUID()}@there.com`;
    const statuses = [];
    for (let i = 0; i < LIMITS.mailsPerMinute + 3; i++) statuses.push((await mail('me@example.com', to, '10.7.0.2')).status);

    expect(statuses).toEqual([...Array(LIMITS.mailsPerMinute).fill(202), 429, 429, 429]);
    await system.mail.waitForMessage((m) => m.to.some((a) => a.address === to), 15_000);
    expect((await system.mail.listMessages()).filter((m) => m.to.some((a) => a.address === to))).toHaveLength(LIMITS.mailsPerMinute);
  });
});

describe('the queue', () => {
  it('when messages that are no events are published to logs_topic, each goes to the dead-letter queue, and nothing is stored', async () => {
    const connection = await amqplib.connect(system.vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      const bodies = [
        'not json',
        '',
        '[1,2,3]',
        `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
        JSON.stringify({ name: MARK, data: 42 }),
        JSON.stringify({ name: `${MARK}-too-large`, data: 'x'.repeat(1024 * 1024) }),
        Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('latin1'),
      ];
      const ids = bodies.map(() => `${MARK}-${randomUUID()}`);
      bodies.forEach((body, i) => channel.publish(LOG_EXCHANGE, 'log.INFO', Buffer.from(body, 'latin1'), { messageId: ids[i], persistent: true }));
      await channel.waitForConfirms();

      const dead = new Set<string>();
      await channel.consume('logs_listener.dead', (message) => message && dead.add(message.properties.messageId as string), { noAck: true });
      await vi.waitUntil(() => ids.every((id) => dead.has(id)), { timeout: 20_000, interval: 100 });
      await channel.close();
    } finally {
      await connection.close();
    }
  });
});
