import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, metricsRegistry } from '@go-micro/toolkit';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { UsersStore } from '../src/accounts/users-store.js';
import { createApp } from '../src/app.js';
import { Authenticator } from '../src/login/authenticate.js';
import { LoginLimits, type LoginLimitSettings } from '../src/login/login-limits.js';
import { accountsFor, addUser, prepareDatabase } from './accounts-harness.js';

let db: TestDatabase;
const pools: pg.Pool[] = [];
let replicas: RunningApp[] = [];
let users: UsersStore;

// Small enough to reach in a few logins; the slow lane long enough that no test outruns it on a busy machine.
const SETTINGS: LoginLimitSettings = { perAddressPerMinute: 6, failuresPerEmailAndAddress: 3, slowAfterFailures: 4, slowLaneSeconds: 30, knownAddressDays: 30 };

/** One replica of the service, on its own pool, as main.ts wires it: the counts are shared only through Postgres. */
async function startReplica(): Promise<RunningApp> {
  const pool = new pg.Pool({ connectionString: db.url });
  pools.push(pool);
  const logger = createLogger('authentication-service', { level: 'silent', pretty: false });
  const authenticator = new Authenticator(new UsersStore(pool), async () => undefined, logger, new LoginLimits(pool, SETTINGS));
  return startApp(createApp({ logger, authenticator, accounts: accountsFor(pool) }));
}

beforeAll(async () => {
  db = await createTestDatabase();
  await prepareDatabase(db.url);
  const pool = new pg.Pool({ connectionString: db.url });
  pools.push(pool);
  users = new UsersStore(pool);
  replicas = [await startReplica(), await startReplica()];
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await Promise.all(pools.map((p) => p.end()));
  await db?.drop();
});

async function newUser(): Promise<string> {
  const email = `limit-${randomUUID()}@example.com`;
  await addUser(users, { email, password: 'right-password', firstName: 'L', lastName: 'T', active: 1 });
  return email;
}

/** An address of this test's own, so the per-address count starts at 0. */
const newAddress = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

/** A login through replica `n` from client address `address` (as the broker passes it on). */
const login = (n: number, email: string, password: string, address: string) =>
  postJSON(`${replicas[n]!.url}/authenticate`, { email, password }, { 'content-type': 'application/json', 'x-forwarded-for': address });

const TOO_MANY = /^too many login attempts; try again in \d+ s$/;

describe('login limits per email and address, counted in Postgres', () => {
  it('when one address takes too many wrong passwords for an email, across replicas, answers it 429 with Retry-After, and the owner still logs in from another address', async () => {
    const [email, guesser] = [await newUser(), newAddress()];

    const wrong = [];
    for (let i = 0; i < SETTINGS.failuresPerEmailAndAddress; i++) wrong.push((await login(i % 2, email, 'wrong', guesser)).status);
    const refused = await login(1, email, 'right-password', guesser);
    const owner = await login(0, email, 'right-password', newAddress());

    expect(wrong).toEqual([401, 401, 401]);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: true, message: expect.stringMatching(TOO_MANY) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(owner.status).toBe(202);
  });

  it('when the right password comes before the limit, the wrong ones of that address are forgiven', async () => {
    const [email, address] = [await newUser(), newAddress()];

    for (let i = 0; i < 2; i++) await login(0, email, 'wrong', address);
    expect((await login(1, email, 'right-password', address)).status).toBe(202);
    const after = [];
    for (let i = 0; i < 2; i++) after.push((await login(0, email, 'wrong', address)).status);

    expect(after).toEqual([401, 401]);
  });

  it('when 5 wrong logins for one email come at once from one address, again and again, compares no more passwords than the limit', async () => {
    const [email, address] = [await newUser(), newAddress()];
    let compared = 0;
    // Each tries again at once after a 401, and after a 503 (busy: nothing was compared), until a 429.
    const guesser = async (n: number) => {
      for (;;) {
        const { status } = await login(n % 2, email, 'wrong', address);
        if (status === 401) compared++;
        else if (status !== 503) return status;
      }
    };

    const stopped = await Promise.all(Array.from({ length: 5 }, (_, n) => guesser(n)));

    console.log(`5 concurrent guessers compared ${compared} passwords against a limit of ${SETTINGS.failuresPerEmailAndAddress}`);
    expect(stopped).toEqual([429, 429, 429, 429, 429]);
    expect(compared).toBe(SETTINGS.failuresPerEmailAndAddress);
  });

  it('when the email comes in another case, it counts for the same account', async () => {
    const [email, address] = [await newUser(), newAddress()];

    const statuses = [];
    for (const spelling of [email, email.toUpperCase(), `${email[0]!.toUpperCase()}${email.slice(1)}`, email]) statuses.push((await login(0, spelling, 'wrong', address)).status);

    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await login(1, email.toUpperCase(), 'right-password', newAddress())).status).toBe(202);
  });
});

describe('login limits per email, from many addresses', () => {
  it('when many addresses guess at one email, no lockout: past the threshold new addresses take turns in a slow lane, and the address the owner logged in from goes straight through', async () => {
    const [email, owner] = [await newUser(), newAddress()];
    expect((await login(0, email, 'right-password', owner)).status).toBe(202);

    const guesses = [];
    for (let i = 0; i < SETTINGS.slowAfterFailures; i++) guesses.push((await login(i % 2, email, 'wrong', newAddress())).status);
    // The slow lane: one attempt from an address the account does not know goes through, the next is told to wait.
    const inTurn = await login(0, email, 'wrong', newAddress());
    const outOfTurn = await login(1, email, 'wrong', newAddress());
    const stranger = await login(0, email, 'right-password', newAddress());
    const ownerAgain = await login(1, email, 'right-password', owner);

    expect(guesses).toEqual([401, 401, 401, 401]);
    expect(inTurn.status).toBe(401);
    expect(outOfTurn.status).toBe(429);
    expect(outOfTurn.body.message).toMatch(TOO_MANY);
    const retryAfter = Number(outOfTurn.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(SETTINGS.slowLaneSeconds);
    // Even the right password waits its turn from an address the account does not know: a slowdown, not a lockout.
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get('retry-after'))).toBeLessThanOrEqual(SETTINGS.slowLaneSeconds);
    expect(ownerAgain.status).toBe(202);
  });

  it('when one address tries too many logins a minute, across replicas and emails, answers 429 before comparing any password', async () => {
    const address = newAddress();

    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await login(i % 2, `nobody-${i}@example.com`, 'x', address)).status);

    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    // Another address is not affected.
    expect((await login(0, 'nobody@example.com', 'x', newAddress())).status).toBe(401);
  });
});

describe('logins_total', () => {
  /** The counter's value for each outcome, as /metrics shows it. */
  const counted = async () => {
    const { values } = await metricsRegistry.getSingleMetric('logins_total')!.get();
    return Object.fromEntries(values.map((value) => [value.labels.outcome, value.value]));
  };

  it('counts each login by outcome: ok (202), refused (401) and limited (429)', async () => {
    const [email, address] = [await newUser(), newAddress()];
    const before = await counted();

    const statuses = [(await login(0, email, 'right-password', address)).status];
    for (let i = 0; i < 8; i++) statuses.push((await login(0, email, 'wrong', address)).status);

    const after = await counted();
    const delta = (outcome: string) => (after[outcome] ?? 0) - (before[outcome] ?? 0);
    expect(statuses).toContain(429);
    expect({ ok: delta('ok'), refused: delta('refused'), limited: delta('limited') }).toEqual({
      ok: statuses.filter((status) => status === 202).length,
      refused: statuses.filter((status) => status === 401).length,
      limited: statuses.filter((status) => status === 429).length,
    });
  });
});

describe('LoginLimits', () => {
  it('when a password was never compared (busy, or Postgres failed), gives its reserved failure back', async () => {
    const limits = new LoginLimits(pools[0]!, { ...SETTINGS, perAddressPerMinute: 100 });
    const [email, address] = [`never-${randomUUID()}@example.com`, newAddress()];

    for (let i = 0; i < SETTINGS.failuresPerEmailAndAddress + 2; i++) await limits.notCompared(await limits.beforeAttempt(email, address));

    await expect(limits.beforeAttempt(email, address)).resolves.toMatchObject({ email, address, known: false });
  });
});
