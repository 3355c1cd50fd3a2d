import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { postJSON, postUntyped } from '@go-micro/testkit/http.js';
import { sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type ServiceName, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { listenerStatus } from '@go-micro/testkit/listener-status.js';
import { StoredLogs } from '@go-micro/testkit/stored-logs.js';
import { expectAllAlive } from './hostile-kit.js';

// The system at its default limits, attacked where the issue found it weak: the dashboard's logins, its
// login page, a caller retrying a 503 or 504 across a MongoDB outage, and bodies sent without a type.
// A FerretDB of its own, with its data in a directory, so it can be stopped and started again as a
// MongoDB restarts: with its collections and indexes.
let ferret: FerretDB;
let dataDir: string;
let system: System;
let logs: StoredLogs;
let mongo: MongoClient;

const SERVICES: ServiceName[] = ['logger', 'mail', 'authentication', 'listener', 'broker'];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ferretdb-hostile-'));
  ferret = await startFerretDB({ dataDir });
  system = await startSystem({ services: SERVICES, mongo: ferret, mail: sharedMailCatcher() });
  logs = new StoredLogs(ferret.url);
  mongo = new MongoClient(ferret.url, { serverSelectionTimeoutMS: 5_000 });
}, 180_000);
afterAll(async () => {
  await mongo?.close();
  await logs?.close();
  await system?.shutdown();
  await ferret?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/**
 * A browser at its own address: each connects from another loopback address
 * (127.0.0.0/8 all reach 127.0.0.1), so the logger sees a different client
 * whatever it believes of X-Forwarded-For. Keeps the cookies it is given.
 */
class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly address: string) {}

  get(path: string) {
    return this.send('GET', path);
  }

  /** Opens the login page and posts the form with its token. */
  async logIn(email: string, password: string) {
    const page = await this.get('/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    return this.send('POST', '/login', new URLSearchParams({ _csrf: token, email, password }).toString());
  }

  private send(method: string, path: string, form?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; html: string }> {
    const url = new URL(path, system.url('logger'));
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method, headers, localAddress: this.address, timeout: 30_000 }, (res) => {
        for (const cookie of res.headers['set-cookie'] ?? []) {
          const [pair] = cookie.split(';');
          const eq = pair!.indexOf('=');
          this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
        }
        let html = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (html += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, html }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(form);
    });
  }
}

describe('the dashboard at default limits', () => {
  it("when one client guesses 25 logins, it is refused with 429 and Retry-After, and the admin at another address still gets in", async () => {
    const guesser = new Browser('127.0.0.11');
    const statuses: number[] = [];
    let last: Awaited<ReturnType<Browser['logIn']>> | undefined;
    for (let i = 0; i < 25; i++) {
      last = await guesser.logIn(`${uniqueName('guess')}@example.com`, 'wrong-password');
      statuses.push(last.status);
    }

    const admin = await new Browser('127.0.0.12').logIn('admin@example.com', 'verysecret');

    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(5).fill(429));
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.html).toMatch(/Too many login attempts\. Try again in \d+ (second|minute)s?\./);
    expect([admin.status, admin.headers.location]).toEqual([303, '/admin/dashboard']);
  }, 180_000);

  it('when 300 visitors open the login page, no session is stored', async () => {
    const sessions = mongo.db('logs').collection('sessions');
    const before = await sessions.countDocuments();

    for (let i = 0; i < 300; i++) expect((await new Browser('127.0.0.13').get('/login')).status).toBe(200);

    expect(await sessions.countDocuments()).toBe(before);
  }, 180_000);

  it.each([
    ['an email of 300 characters', `${'e'.repeat(288)}@example.com`, 'verysecret', 'That email address is too long'],
    ['a password of 10,000 characters', 'admin@example.com', 'p'.repeat(10_000), 'That password is too long'],
  ])('when a login has %s, answers the login page with 400 saying so, and logs no stack', async (_case, email, password, words) => {
    const { status, html } = await new Browser('127.0.0.14').logIn(email, password);

    expect(status).toBe(400);
    expect(html).toContain(words);
    expect(system.process('logger')!.output()).not.toMatch(/ZodError|dashboard error/);
  });
});

/** The three ways the broker logs that answer 503 or 504 when MongoDB is down (RabbitMQ takes an event and keeps it). */
const DIRECT_ROUTES = ['/handle', '/log-grpc', '/log-http'] as const;
const logBody = (name: string) => ({ action: 'log', log: { name, data: 'sent while MongoDB was down' } });
const withKey = (key: string) => ({ 'content-type': 'application/json', 'idempotency-key': key });

describe('a caller told 503 or 504 during a MongoDB outage, at default limits', () => {
  it('finds no entry stored after MongoDB returns, and a retry with the same Idempotency-Key stores exactly one', async () => {
    const calls = DIRECT_ROUTES.flatMap((path) => Array.from({ length: 40 }, () => ({ path, name: uniqueName(`outage${path.replace('/', '-')}`), key: uniqueName('key') })));
    const rabbit = { name: uniqueName('outage-rabbit'), key: uniqueName('key') };

    await ferret.stop();
    // All at once, so calls queue in the logger (its JSON-RPC connection, its group-commit batches) while MongoDB is away.
    const replies = await Promise.all(calls.map(({ path, name, key }) => postJSON(`${system.brokerUrl}${path}`, logBody(name), withKey(key))));
    const viaRabbit = await postJSON(`${system.brokerUrl}/log-rabbit`, logBody(rabbit.name), withKey(rabbit.key));
    ferret = await startFerretDB({ port: ferret.port, dataDir });
    await vi.waitUntil(async () => (await fetch(`${system.url('logger')}/ready`)).status === 200, { timeout: 60_000, interval: 250 });

    expect(replies.filter(({ status }) => status !== 503 && status !== 504)).toEqual([]);
    // Beyond the broker's bulkhead a call is refused as busy before anything is sent: a 503 too.
    expect(replies.filter(({ body }) => !/^logger-service (failed: |did not answer in time|is busy)/.test(body.message))).toEqual([]);
    // RabbitMQ was up: the event was taken (202) and waits in the queue for MongoDB.
    expect(viaRabbit.status).toBe(202);

    // Long enough for anything the logger still held to be written: twice the broker's 5 s timeout, the longest
    // any call's deadline ran, while the queued event above is retried into MongoDB by the listener.
    const names = calls.map(({ name }) => name);
    const deadline = Date.now() + 10_000;
    await vi.waitUntil(async () => (await logs.countsByName([rabbit.name]))[0] === 1, { timeout: 60_000, interval: 250 });
    while (Date.now() < deadline) {
      expect((await logs.countsByName(names)).filter((count) => count > 0)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    // Retried in groups under the bulkhead's 64, as a client honouring Retry-After would end up sending them.
    const retry = async () => {
      const replies = [];
      for (let i = 0; i < calls.length; i += 32) {
        replies.push(...(await Promise.all(calls.slice(i, i + 32).map(({ path, name, key }) => postJSON(`${system.brokerUrl}${path}`, logBody(name), withKey(key))))));
      }
      return replies;
    };
    const retries = await retry();
    const again = await retry();
    const settled = (await listenerStatus(system))?.settled ?? 0;
    const rabbitAgain = await postJSON(`${system.brokerUrl}/log-rabbit`, logBody(rabbit.name), withKey(rabbit.key));

    expect([...retries, ...again, rabbitAgain].filter(({ status }) => status !== 202)).toEqual([]);
    expect(await logs.countsByName(names)).toEqual(names.map(() => 1));
    // Once the listener has settled the second event with the same key, it is still one entry.
    await vi.waitUntil(async () => {
      const status = await listenerStatus(system);
      return status !== undefined && status.settled > settled && status.inFlight === 0;
    }, { timeout: 30_000, interval: 100 });
    expect(await logs.countsByName([rabbit.name])).toEqual([1]);
    await expectAllAlive(system, SERVICES);
  }, 240_000);
});

describe('bodies without a Content-Type, as the Go original sends them', () => {
  it('every route of the internal services takes one as JSON and gives its normal reply', async () => {
    const email = `${uniqueName('untyped')}@example.com`;
    const untyped = (service: ServiceName, path: string, body: unknown) => postUntyped(`${system.url(service)}${path}`, JSON.stringify(body));

    const replies = [
      await untyped('authentication', '/authenticate', { email: 'admin@example.com', password: 'verysecret' }),
      await untyped('authentication', '/register', { email, first_name: 'Un', last_name: 'Typed', password: 'untyped-password-1' }),
      await untyped('authentication', '/token', { email: 'admin@example.com', password: 'verysecret' }),
      await untyped('logger', '/log', { name: uniqueName('untyped'), data: 'from a Go service' }),
      await untyped('mail', '/send', { to: email, subject: 'Untyped', message: 'from a Go broker' }),
    ];

    expect(replies.map(({ status, body }) => [status, body.error])).toEqual([
      [202, false],
      [202, false],
      [200, false],
      [202, false],
      [202, false],
    ]);
    expect(replies[0]!.body.message).toBe('Logged in user admin@example.com');
  }, 60_000);

  it('the broker, which browsers reach, refuses one with 415; the internal services refuse one from a page (Origin) with 415', async () => {
    const name = uniqueName('untyped-refused');
    const broker = await postUntyped(`${system.brokerUrl}/handle`, JSON.stringify(logBody(name)));
    const fromPage = await Promise.all(
      [
        ['authentication', '/authenticate'],
        ['logger', '/log'],
        ['mail', '/send'],
      ].map(([service, path]) => postUntyped(`${system.url(service as ServiceName)}${path}`, JSON.stringify({ name, data: 'x' }), { origin: 'https://evil.example' })),
    );

    expect([broker.status, broker.body.message]).toEqual([415, 'Content-Type must be application/json']);
    expect(fromPage.map(({ status }) => status)).toEqual([415, 415, 415]);
    expect(await logs.countsByName([name])).toEqual([0]);
  });
});
