import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRegistered } from '@go-micro/contracts';
import { call, startAuth, type RunningAuth } from './accounts-harness.js';

let auth: RunningAuth;

beforeAll(async () => {
  auth = await startAuth();
});
afterAll(async () => {
  await auth?.close();
});

const uniqueEmail = () => `new-${randomUUID()}@example.com`;
const signUp = (overrides: Record<string, unknown> = {}) => ({
  email: uniqueEmail(),
  first_name: 'Ada',
  last_name: 'Lovelace',
  password: 'analytical-engine-1',
  ...overrides,
});
const register = (body: unknown) => call('POST', `${auth.url}/register`, { body });
const outboxOf = async (email: string) =>
  (await auth.pool.query("SELECT id, routing_key, payload, sent_at FROM outbox WHERE payload->>'email' = $1", [email])).rows;

describe('POST /register', () => {
  it('when the sign-up is valid, answers 202 Registered <email>, stores an active, non-admin user with a cost-12 bcrypt hash, and can log in', async () => {
    const body = signUp();

    const { status, body: reply } = await register(body);

    expect(status).toBe(202);
    expect(reply).toEqual({
      error: false,
      message: `Registered ${body.email}`,
      data: { user_id: expect.any(Number), email: body.email, event_id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
    const { rows } = await auth.pool.query('SELECT first_name, last_name, user_active, is_admin, password FROM users WHERE email = $1', [body.email]);
    expect(rows).toEqual([{ first_name: 'Ada', last_name: 'Lovelace', user_active: 1, is_admin: false, password: expect.stringMatching(/^\$2b\$12\$/) }]);
    const login = await call('POST', `${auth.url}/authenticate`, { body: { email: body.email, password: body.password } });
    expect(login.status).toBe(202);
  });

  it('when the sign-up is stored, its user.registered event is in the outbox, in the contract shape, without the password, not sent yet', async () => {
    const body = signUp({ first_name: '  Grace ', last_name: 'Hopper' });

    const { body: reply } = await register(body);

    const { event_id: eventId, user_id: userId } = reply.data as { event_id: string; user_id: number };
    const [row, ...others] = await outboxOf(body.email);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ id: eventId, routing_key: 'user.registered', sent_at: null });
    expect(userRegistered.parse(row.payload)).toEqual({
      event_id: eventId,
      user_id: userId,
      email: body.email,
      first_name: 'Grace',
      last_name: 'Hopper',
      registered_at: expect.any(String),
    });
    expect(JSON.stringify(row.payload)).not.toMatch(/password|analytical|\$2b\$/);
  });

  it('when the email is taken, answers 409 email is already registered, and adds neither a user nor an event', async () => {
    const body = signUp();
    await register(body);

    const { status, body: reply } = await register({ ...body, first_name: 'Someone', password: 'another-password-2' });

    expect(status).toBe(409);
    expect(reply).toEqual({ error: true, message: 'email is already registered' });
    expect((await auth.pool.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [body.email])).rows[0].n).toBe(1);
    expect(await outboxOf(body.email)).toHaveLength(1);
  });

  it("when the seeded admin's email is used, answers the same 409 and nothing of that account", async () => {
    const { status, body } = await register(signUp({ email: 'admin@example.com' }));
    expect(status).toBe(409);
    expect(body).toEqual({ error: true, message: 'email is already registered' });
  });

  it.each([
    [{ email: 'not-an-address' }, 'email: must be an email address'],
    [{ email: 'a@b.c, d@e.f' }, 'email: must be an email address'],
    [{ first_name: '   ' }, 'first_name: must not be empty'],
    [{ last_name: 'x'.repeat(101) }, 'last_name: must be at most 100 characters'],
    [{ first_name: 'Eve\r\nBcc: x@example.com' }, 'first_name: must not contain control characters'],
    [{ first_name: 'Your parcel is held, pay at https://evil.example/pay' }, 'first_name: may hold only letters, spaces, apostrophes, hyphens and periods'],
    [{ last_name: 'Mail me at eve@example.com' }, 'last_name: may hold only letters, spaces, apostrophes, hyphens and periods'],
    [{ last_name: 'Agent 47' }, 'last_name: may hold only letters, spaces, apostrophes, hyphens and periods'],
    [{ first_name: "'. -" }, 'first_name: may hold only letters, spaces, apostrophes, hyphens and periods'],
    [{ password: 'short-1' }, 'password: must be at least 10 characters'],
    [{ password: 'onlyletterslong' }, 'password: must contain a digit or a symbol'],
    [{ password: '12345678901' }, 'password: must contain a letter'],
    [{ password: `a1${'é'.repeat(40)}` }, 'password: must be at most 72 bytes'],
    [{ password: 12345678901 }, 'password: must be a string'],
  ])('when the sign-up has %j, answers 400 %j and stores nothing', async (change, message) => {
    const body = signUp(change);

    const { status, body: reply } = await register(body);

    expect(status).toBe(400);
    expect(reply).toEqual({ error: true, message });
    if (typeof body.email === 'string') expect(await outboxOf(body.email)).toEqual([]);
  });

  it('when the body is not an object, answers 400', async () => {
    const { status, body } = await register([1, 2]);
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'body must be a JSON object' });
  });
});
