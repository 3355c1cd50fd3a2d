import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tokens } from '../src/accounts/tokens.js';
import { addUser, call, startAuth, TEST_TOKEN_SECRET, type RunningAuth } from './accounts-harness.js';

let auth: RunningAuth;
let adminToken: string;

beforeAll(async () => {
  auth = await startAuth();
  adminToken = await tokenFor('admin@example.com', 'verysecret');
});
afterAll(async () => {
  await auth?.close();
});

async function tokenFor(email: string, password: string): Promise<string> {
  const { status, body } = await call('POST', `${auth.url}/token`, { body: { email, password } });
  if (status !== 200) throw new Error(`no token for ${email}: ${status} ${body.message}`);
  return (body.data as { token: string }).token;
}

/** A user of this test's own, straight into the table. */
async function createUser(options: { admin?: boolean; active?: number } = {}): Promise<{ id: number; email: string; password: string }> {
  const email = `user-${randomUUID()}@example.com`;
  const password = 'a-good-password-1';
  const id = await addUser(auth.users, { email, password, firstName: 'Test', lastName: 'User', active: options.active ?? 1, admin: options.admin ?? false });
  return { id, email, password };
}

const users = (path = '') => `${auth.url}/users${path}`;

describe('POST /token', () => {
  it('when the seeded admin gives the right password, answers 200 with a bearer token and the user marked admin, without the password', async () => {
    const { status, body } = await call('POST', `${auth.url}/token`, { body: { email: 'admin@example.com', password: 'verysecret' } });

    expect(status).toBe(200);
    expect(body).toMatchObject({
      error: false,
      message: 'Token for admin@example.com',
      data: { token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), token_type: 'Bearer', expires_at: expect.any(String), user: { email: 'admin@example.com', admin: true } },
    });
    expect(JSON.stringify(body)).not.toMatch(/password|\$2b\$/);
  });

  it('when the password is wrong, answers 401 invalid credentials, as /authenticate does', async () => {
    const { status, body } = await call('POST', `${auth.url}/token`, { body: { email: 'admin@example.com', password: 'nope' } });
    expect(status).toBe(401);
    expect(body).toEqual({ error: true, message: 'invalid credentials' });
  });
});

describe('the users API refuses whoever is not an admin', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', ''],
    ['GET', '/1'],
    ['PATCH', '/1', { first_name: 'X' }],
    ['POST', '/1/password', { password: 'a-new-password-1' }],
    ['DELETE', '/1'],
  ];

  it.each(routes)('when %s /users%s comes without a token, answers 401 and changes nothing', async (method, path, body) => {
    const reply = await call(method, users(path), { body });
    expect(reply).toEqual({ status: 401, body: { error: true, message: 'a bearer token is required (POST /token)' } });
  });

  it.each(routes)('when %s /users%s comes from a user who is not an admin, answers 403', async (method, path, body) => {
    const user = await createUser();
    const token = await tokenFor(user.email, user.password);

    const reply = await call(method, users(path), { body, token });

    expect(reply).toEqual({ status: 403, body: { error: true, message: 'only an admin may manage users' } });
  });

  it('when the token is forged, expired or signed with another secret, answers 401', async () => {
    const admin = await auth.users.findByEmail('admin@example.com');
    const claims = { userId: admin!.user.id, email: 'admin@example.com', admin: true };
    const expired = (await new Tokens(TEST_TOKEN_SECRET, -60).issue(claims)).token;
    const otherSecret = (await new Tokens('another-secret-of-more-than-32-characters', 900).issue(claims)).token;
    const [header, , signature] = adminToken.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: '1', admin: true })).toString('base64url')}.${signature}`;

    for (const token of [expired, otherSecret, tampered, 'not-a-token']) {
      const { status, body } = await call('GET', users(), { token });
      expect(status, token).toBe(401);
      expect(body).toEqual({ error: true, message: 'the token is invalid or has expired' });
    }
  });

  it('when a token signed with the right secret lacks exp, iat or sub, or claims a lifetime longer than tokens get, answers 401', async () => {
    const admin = await auth.users.findByEmail('admin@example.com');
    const key = new TextEncoder().encode(TEST_TOKEN_SECRET);
    const now = Math.floor(Date.now() / 1000);
    /** An admin token as an attacker holding the secret would sign it, with only the claims given. */
    const signed = (claims: { exp?: number; iat?: number; sub?: string }) => {
      const jwt = new SignJWT({ email: 'admin@example.com', admin: true }).setProtectedHeader({ alg: 'HS256' }).setIssuer('authentication-service').setAudience('go-micro');
      if (claims.sub !== undefined) jwt.setSubject(claims.sub);
      if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
      if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
      return jwt.sign(key);
    };
    const sub = String(admin!.user.id);
    // The same claims with exp, iat and sub are accepted: what is refused below is only the missing claim.
    expect((await call('GET', users(), { token: await signed({ sub, iat: now, exp: now + 60 }) })).status).toBe(200);

    const forged = {
      'no exp': await signed({ sub, iat: now }),
      'no iat': await signed({ sub, exp: now + 60 }),
      'no sub': await signed({ iat: now, exp: now + 60 }),
      'issued a day ago, expiring in a year': await signed({ sub, iat: now - 86_400, exp: now + 365 * 86_400 }),
    };
    for (const [what, token] of Object.entries(forged)) {
      expect(await call('GET', users(), { token }), what).toEqual({ status: 401, body: { error: true, message: 'the token is invalid or has expired' } });
    }
  });

  it("when an admin's account is deactivated, their token stops working at once", async () => {
    const other = await createUser({ admin: true });
    const token = await tokenFor(other.email, other.password);
    expect((await call('GET', users(), { token })).status).toBe(200);

    await call('PATCH', users(`/${other.id}`), { body: { active: 0 }, token: adminToken });

    expect((await call('GET', users(), { token })).status).toBe(401);
  });
});

describe('the users API, for an admin', () => {
  it('lists every user with the admin flag and never a password', async () => {
    const user = await createUser();

    const { status, body } = await call('GET', users(), { token: adminToken });

    expect(status).toBe(200);
    const listed = body.data as { id: number; email: string; admin: boolean }[];
    expect(listed.find((u) => u.email === 'admin@example.com')).toMatchObject({ admin: true, active: 1, first_name: 'Admin' });
    expect(listed.find((u) => u.id === user.id)).toMatchObject({ email: user.email, admin: false });
    expect(JSON.stringify(body)).not.toMatch(/password|\$2b\$/);
  });

  it('gets one user, and answers 404 for one that does not exist', async () => {
    const user = await createUser();
    expect(await call('GET', users(`/${user.id}`), { token: adminToken })).toMatchObject({ status: 200, body: { data: { id: user.id, email: user.email } } });
    expect(await call('GET', users('/999999'), { token: adminToken })).toEqual({ status: 404, body: { error: true, message: 'no such user' } });
    expect((await call('GET', users('/abc'), { token: adminToken })).status).toBe(404);
  });

  it('updates the names and the active flag, and an inactive user can no longer log in', async () => {
    const user = await createUser();

    const { status, body } = await call('PATCH', users(`/${user.id}`), { body: { first_name: ' Renamed ', active: 0 }, token: adminToken });

    expect(status).toBe(200);
    expect(body).toMatchObject({ message: `updated user ${user.id}`, data: { first_name: 'Renamed', last_name: 'User', active: 0 } });
    const login = await call('POST', `${auth.url}/authenticate`, { body: { email: user.email, password: user.password } });
    expect(login).toEqual({ status: 403, body: { error: true, message: 'user is not active' } });
  });

  it.each([
    [{}, 'nothing to change: give first_name, last_name or active'],
    [{ email: 'x@example.com' }, 'only first_name, last_name and active can be changed'],
    [{ active: 2 }, 'active: must be 0 or 1'],
    [{ last_name: '' }, 'last_name: must not be empty'],
  ])('when the change is %j, answers 400 %j', async (change, message) => {
    const user = await createUser();
    expect(await call('PATCH', users(`/${user.id}`), { body: change, token: adminToken })).toEqual({ status: 400, body: { error: true, message } });
  });

  it('resets a password under the sign-up rules: the new one logs in, the old one no longer does', async () => {
    const user = await createUser();
    const weak = await call('POST', users(`/${user.id}/password`), { body: { password: 'short-1' }, token: adminToken });
    expect(weak).toEqual({ status: 400, body: { error: true, message: 'password: must be at least 10 characters' } });

    const reset = await call('POST', users(`/${user.id}/password`), { body: { password: 'brand-new-password-2' }, token: adminToken });

    expect(reset).toEqual({ status: 200, body: { error: false, message: `password reset for user ${user.id}` } });
    expect((await call('POST', `${auth.url}/authenticate`, { body: { email: user.email, password: 'brand-new-password-2' } })).status).toBe(202);
    expect((await call('POST', `${auth.url}/authenticate`, { body: { email: user.email, password: user.password } })).status).toBe(401);
  });

  it('deletes a user, who is then gone', async () => {
    const user = await createUser();

    expect(await call('DELETE', users(`/${user.id}`), { token: adminToken })).toEqual({ status: 200, body: { error: false, message: `deleted user ${user.id}` } });

    expect((await call('GET', users(`/${user.id}`), { token: adminToken })).status).toBe(404);
    expect((await call('DELETE', users(`/${user.id}`), { token: adminToken })).status).toBe(404);
  });

  it('refuses to delete or deactivate the calling admin, with 409', async () => {
    const admin = await auth.users.findByEmail('admin@example.com');
    const id = admin!.user.id;
    expect(await call('DELETE', users(`/${id}`), { token: adminToken })).toEqual({ status: 409, body: { error: true, message: 'you cannot delete your own account' } });
    expect(await call('PATCH', users(`/${id}`), { body: { active: 0 }, token: adminToken })).toEqual({
      status: 409,
      body: { error: true, message: 'you cannot deactivate your own account' },
    });
  });
});
