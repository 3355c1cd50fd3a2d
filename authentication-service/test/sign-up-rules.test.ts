import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { postJSON, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { Registration } from '../src/accounts/registration.js';
import { SignUpLimits, type SignUpLimitSettings } from '../src/accounts/signup-limits.js';
import { UsersStore } from '../src/accounts/users-store.js';
import { createApp } from '../src/app.js';
import { Authenticator } from '../src/login/authenticate.js';
import { PasswordWork, type PasswordWorkLimits } from '../src/passwords/password-work.js';
import { accountsFor, prepareDatabase } from './accounts-harness.js';

/** PasswordWork that counts the new passwords it hashes: a sign-up answered before hashing leaves the count alone. */
class CountingWork extends PasswordWork {
  hashes = 0;
  override hash(password: string): Promise<string> {
    this.hashes++;
    return super.hash(password);
  }
}

interface SignUpService {
  url: string;
  pool: pg.Pool;
  work: CountingWork;
}

const started: { app: RunningApp; pool: pg.Pool; db: TestDatabase }[] = [];
afterAll(async () => {
  for (const { app, pool, db } of started) {
    await app.close();
    await pool.end();
    await db.drop();
  }
});

const LANES: PasswordWorkLimits = { concurrency: 2, maxWaiting: 16, maxWaitMs: 10_000, refusalPauseMs: 0, signUpConcurrency: 1, signUpMaxWaiting: 16, signUpMaxWaitMs: 10_000 };

/** The service on a database of its own, wired as main.ts wires it, with the given sign-up limits (none: unlimited) and bcrypt admission. */
async function startSignUps(limits?: SignUpLimitSettings, lanes: PasswordWorkLimits = LANES): Promise<SignUpService> {
  const db = await createTestDatabase();
  await prepareDatabase(db.url);
  const pool = new pg.Pool({ connectionString: db.url });
  const users = new UsersStore(pool);
  const work = new CountingWork(lanes);
  const logger = createLogger('authentication-service', { level: 'silent', pretty: false });
  const registration = new Registration(pool, undefined, work, limits && new SignUpLimits(pool, limits));
  const accounts = { ...accountsFor(pool, undefined, work), registration };
  const app = await startApp(createApp({ logger, authenticator: new Authenticator(users, async () => undefined, logger, undefined, work), accounts }));
  started.push({ app, pool, db });
  return { url: app.url, pool, work };
}

const signUp = (service: SignUpService, email: string, from = '10.0.0.1') =>
  postJSON(`${service.url}/register`, { email, first_name: 'Ada', last_name: 'Lovelace', password: 'analytical-engine-1' }, { 'content-type': 'application/json', 'x-forwarded-for': from });
const login = (service: SignUpService, email: string, password: string) => postJSON(`${service.url}/authenticate`, { email, password });
const accountsOf = async (service: SignUpService, email: string) =>
  (await service.pool.query('SELECT email FROM users WHERE lower(email) = lower($1)', [email])).rows.map((row: { email: string }) => row.email);

describe('one account per address, whatever its case', () => {
  it('when Admin@Example.com signs up beside admin@example.com, answers 409 before hashing anything', async () => {
    const service = await startSignUps();

    const { status, body } = await signUp(service, 'Admin@Example.com');

    console.log(`Admin@Example.com after admin@example.com: ${status} ${body.message}; passwords hashed: ${service.work.hashes}`);
    expect([status, body]).toEqual([409, { error: true, message: 'email is already registered' }]);
    expect(service.work.hashes).toBe(0);
    expect(await accountsOf(service, 'admin@example.com')).toEqual(['admin@example.com']);
  });

  it('when a mixed-case address signs up, stores it lower-cased, refuses it again in any case, and logs it in in any case', async () => {
    const service = await startSignUps();
    const id = randomUUID();

    const first = await signUp(service, `Ada.${id}@Example.COM`);
    const again = await signUp(service, `ADA.${id}@example.com`);
    const logins = await Promise.all([`ada.${id}@example.com`, `ADA.${id}@EXAMPLE.COM`].map((email) => login(service, email, 'analytical-engine-1')));

    expect(first.status).toBe(202);
    expect(first.body.message).toBe(`Registered ada.${id}@example.com`);
    expect(again.status).toBe(409);
    expect(await accountsOf(service, `ada.${id}@example.com`)).toEqual([`ada.${id}@example.com`]);
    expect(logins.map((l) => [l.status, l.body.message])).toEqual([
      [202, `Logged in user ada.${id}@example.com`],
      [202, `Logged in user ada.${id}@example.com`],
    ]);
    expect(service.work.hashes).toBe(1);
  });

  it('when one address signs up in five spellings at once, creates exactly one account', async () => {
    const service = await startSignUps();
    const local = `race.${randomUUID()}`;
    const spellings = [local, local.toUpperCase(), ...['RACE', 'Race', 'rAcE'].map((word) => local.replace('race', word))].map((l) => `${l}@Example.com`);

    const replies = await Promise.all(spellings.map((email, n) => signUp(service, email, `10.0.1.${n}`)));

    expect(replies.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409]);
    expect(await accountsOf(service, `${local}@example.com`)).toEqual([`${local}@example.com`]);
  });
});

describe('sign-up limits, counted in Postgres before any hashing', () => {
  it('when one address signs up past its limit, answers 429 with Retry-After without hashing, and another address still signs up', async () => {
    const service = await startSignUps({ perAddress: 3, perMinute: 100 });

    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await signUp(service, `flood-${randomUUID()}@example.com`, '10.0.2.1')).status);
    const refused = await signUp(service, `flood-${randomUUID()}@example.com`, '10.0.2.1');
    const other = await signUp(service, `other-${randomUUID()}@example.com`, '10.0.2.2');

    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(refused.body).toEqual({ error: true, message: expect.stringMatching(/^too many sign-ups; try again in \d+ s$/) });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(other.status).toBe(202);
    expect(service.work.hashes).toBe(4);
  });

  it('when many addresses together sign up past the limit a minute, answers the rest 429', async () => {
    const service = await startSignUps({ perAddress: 100, perMinute: 4 });

    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await signUp(service, `many-${randomUUID()}@example.com`, `10.0.3.${i}`)).status);

    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
  });

  it('when a taken address signs up, it counts too: a flood of taken addresses is limited like any other', async () => {
    const service = await startSignUps({ perAddress: 2, perMinute: 100 });

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await signUp(service, 'admin@example.com', '10.0.4.1')).status);

    expect(statuses).toEqual([409, 409, 429]);
    expect(service.work.hashes).toBe(0);
  });
});

describe('hashing capacity under a sign-up flood', () => {
  it('when sign-ups flood a single core beyond what it can hash in time, logins are still answered, not 503', async () => {
    const service = await startSignUps(undefined, { concurrency: 1, maxWaiting: 4, maxWaitMs: 10_000, refusalPauseMs: 0, signUpConcurrency: 1, signUpMaxWaiting: 2, signUpMaxWaitMs: 10_000 });

    const flood = Array.from({ length: 10 }, (_, n) => signUp(service, `flood-${randomUUID()}@example.com`, `10.0.5.${n}`));
    const logins = [login(service, 'admin@example.com', 'verysecret'), login(service, 'admin@example.com', 'verysecret')];
    const [signUps, answered] = [await Promise.all(flood), await Promise.all(logins)];

    const busy = signUps.filter((r) => r.status === 503).length;
    console.log(`sign-up flood of 10 on one core: ${10 - busy} signed up, ${busy} told 503; logins: ${answered.map((l) => l.status).join(', ')}`);
    expect(busy).toBeGreaterThan(0);
    expect(answered.map((l) => l.status)).toEqual([202, 202]);
  });
});
