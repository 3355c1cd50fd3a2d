import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { UsersStore } from '../src/accounts/users-store.js';
import { createApp } from '../src/app.js';
import { Authenticator } from '../src/login/authenticate.js';
import { PasswordWork } from '../src/passwords/password-work.js';
import { accountsFor, prepareDatabase } from './accounts-harness.js';

let db: TestDatabase;
let pool: pg.Pool;
let app: RunningApp;

// One hash at a time, two waiting at most, for at most 3 s, refusals held 300 ms: small enough to overload with a handful of logins.
const limits = { concurrency: 1, maxWaiting: 2, maxWaitMs: 3_000, refusalPauseMs: 300, signUpConcurrency: 1, signUpMaxWaiting: 2, signUpMaxWaitMs: 3_000 };
/** Limits for a PasswordWork of a test's own, with `changes`. */
const withLimits = (changes: Partial<typeof limits>) => new PasswordWork({ ...limits, ...changes });

beforeAll(async () => {
  db = await createTestDatabase();
  await prepareDatabase(db.url);
  pool = new pg.Pool({ connectionString: db.url });
  const users = new UsersStore(pool);
  const logger = createLogger('authentication-service', { level: 'silent', pretty: false });
  const authenticator = new Authenticator(users, async () => undefined, logger, undefined, new PasswordWork(limits));
  app = await startApp(createApp({ logger, authenticator, accounts: accountsFor(pool) }));
});
afterAll(async () => {
  await app?.close();
  await pool?.end();
  await db?.drop();
});

const login = async () => {
  const sent = Date.now();
  const response = await fetch(`${app.url}/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@example.com', password: 'verysecret' }),
  });
  const body = (await response.json()) as { error: boolean; message: string };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body, sent, answered: Date.now() };
};

describe('bcrypt under overload', () => {
  it('admits one hash at a time, queues two in arrival order, and refuses the rest after the pause with 503 and Retry-After', async () => {
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 6 }, () => login()));
    // One running, two waiting: three logins in; the other three are refused without waiting for a hash.
    const admitted = replies.filter((reply) => reply.status === 202);
    expect(admitted).toHaveLength(3);
    const refused = replies.filter((reply) => reply.status === 503);
    expect(refused).toHaveLength(3);
    for (const reply of refused) {
      expect(reply.retryAfter).toBe('1');
      expect(reply.body).toEqual({ error: true, message: 'authentication-service is busy; try again in 1 s' });
      // Held for the pause (a timer may fire a millisecond early), and answered before the queue it could not join was done.
      expect(reply.answered - reply.sent).toBeGreaterThanOrEqual(limits.refusalPauseMs - 2);
      expect(reply.answered).toBeLessThan(Math.max(...admitted.map((login) => login.answered)));
    }
    // Three hashes one after another, not six sharing the core.
    expect(Date.now() - started).toBeLessThan(limits.maxWaitMs + 2_000);
  });

  it('refuses a login that waited longer than its bound, and then takes logins again', async () => {
    const work = withLimits({ maxWaiting: 10, maxWaitMs: 50, refusalPauseMs: 0 });
    const hash = await work.hash('a password');
    const [first, second] = await Promise.allSettled([work.compare('a password', hash), work.compare('a password', hash)]);
    expect(first).toEqual({ status: 'fulfilled', value: true });
    expect(second.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason).toMatchObject({ status: 503, retryAfterSeconds: 1 });
    expect(work.queued).toBe(0);
    await expect(work.compare('wrong', hash)).resolves.toBe(false);
  });

  it('with a pause of 0, refuses a login that finds the queue full before the running hash is done', async () => {
    const work = withLimits({ maxWaiting: 0, maxWaitMs: 50, refusalPauseMs: 0 });
    const hash = await work.hash('a password');
    const running = work.compare('a password', hash);
    await expect(work.refuseWhenFull()).rejects.toMatchObject({ status: 503, retryAfterSeconds: 1 });
    await expect(work.compare('a password', hash)).rejects.toMatchObject({ status: 503 });
    // Both refusals came before the running hash was done.
    let done = false;
    void running.then(() => (done = true));
    expect(done).toBe(false);
    await expect(running).resolves.toBe(true);
  });
});

describe('bcrypt in lanes', () => {
  it("when every lane has work waiting, a free core goes to the owner's login first, then other logins, then sign-ups", async () => {
    const work = withLimits({ maxWaitMs: 30_000, signUpMaxWaitMs: 30_000 });
    const hash = await work.hash('a password');
    const order: string[] = [];
    const track = (name: string, done: Promise<unknown>) => done.then(() => order.push(name));

    const running = track('running sign-up', work.hash('first'));
    const waiting = [
      track('sign-up', work.hash('second')),
      track('login', work.compare('a password', hash, 'login')),
      track('owner', work.compare('a password', hash, 'known')),
    ];
    await Promise.all([running, ...waiting]);

    expect(order).toEqual(['running sign-up', 'owner', 'login', 'sign-up']);
  });

  it('when sign-ups fill their share of the cores, a login starts on a free core at once, and the sign-ups wait', async () => {
    const work = withLimits({ concurrency: 2, signUpConcurrency: 1, signUpMaxWaiting: 10, signUpMaxWaitMs: 30_000 });
    const hash = await work.hash('a password');

    const signUps = [work.hash('one'), work.hash('two'), work.hash('three')];
    const login = work.compare('a password', hash, 'login');

    expect([work.waitingIn('signUp'), work.waitingIn('login')]).toEqual([2, 0]);
    await expect(login).resolves.toBe(true);
    await Promise.all(signUps);
  });

  it("when the login and sign-up lanes are full, refuses another login and another sign-up, but not the owner's login", async () => {
    const work = withLimits({ maxWaiting: 1, signUpMaxWaiting: 1, refusalPauseMs: 0, maxWaitMs: 30_000, signUpMaxWaitMs: 30_000 });
    const hash = await work.hash('a password');
    const busyWork = [work.compare('wrong', hash, 'login'), work.compare('wrong', hash, 'login'), work.hash('waiting')];

    await expect(work.refuseWhenFull('login')).rejects.toMatchObject({ status: 503, retryAfterSeconds: 1 });
    await expect(work.refuseWhenFull('signUp')).rejects.toMatchObject({ status: 503 });
    await expect(work.refuseWhenFull('known')).resolves.toBeUndefined();
    await expect(work.compare('a password', hash, 'known')).resolves.toBe(true);
    await Promise.all(busyWork);
  });
});
