import type { Express, Request } from 'express';
import { z } from 'zod';
import { personName } from '@go-micro/contracts';
import { badRequest, HttpError, jsonBody, notFound, reply, validate } from '@go-micro/toolkit';
import type { Authenticator } from '../login/authenticate.js';
import { newEmail, newPassword } from '../passwords/password-rules.js';
import type { PasswordWork } from '../passwords/password-work.js';
import { requireAdmin, type Caller } from './admin-guard.js';
import type { Registration } from './registration.js';
import type { Tokens } from './tokens.js';
import type { UsersStore } from './users-store.js';

export interface AccountsDeps {
  registration: Registration;
  tokens: Tokens;
  users: UsersStore;
  /** Hashes the passwords an admin resets, in the lane of sign-ups. */
  passwords: PasswordWork;
}

const signUp = z.object(
  { email: newEmail, first_name: personName, last_name: personName, password: newPassword },
  { error: 'body must be a JSON object' },
);

const credentials = z.object(
  {
    email: z.email({ error: 'must be an email address' }),
    password: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(128, { error: 'must be at most 128 characters' }),
  },
  { error: 'body must be a JSON object' },
);

const changes = z.strictObject(
  {
    first_name: personName.optional(),
    last_name: personName.optional(),
    active: z.union([z.literal(0), z.literal(1)], { error: 'must be 0 or 1' }).optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'only first_name, last_name and active can be changed' : 'body must be a JSON object') },
);

const passwordReset = z.object({ password: newPassword }, { error: 'body must be a JSON object' });

const userId = (req: Request): number => {
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id < 1) throw notFound('no such user');
  return id;
};

/** Sign-up, tokens, and the admin's users API. */
export function mountAccountRoutes(app: Express, authenticator: Authenticator, { registration, tokens, users, passwords }: AccountsDeps): void {
  app.post('/register', jsonBody(), async (req, res) => {
    // Limited per client address: X-Forwarded-For from the broker (a trusted hop), else the peer itself.
    const registered = await registration.register(validate(signUp, req.body), req.ip ?? req.socket.remoteAddress);
    reply(res, 202, `Registered ${registered.email}`, registered);
  });

  /** A token for the users API (and the logger's dashboard), for a right email and password, as /authenticate checks them. */
  app.post('/token', jsonBody(), async (req, res) => {
    const { email, password } = validate(credentials, req.body);
    // Limited as logins are (login-limits.ts): per client address, per email and address, and a slow lane per email.
    const user = await authenticator.authenticate(email, password, req.ip ?? req.socket.remoteAddress);
    const account = await users.get(user.id);
    if (!account) throw new HttpError(401, 'invalid credentials');
    const { token, expiresAt } = await tokens.issue({ userId: account.id, email: account.email, admin: account.admin });
    reply(res, 200, `Token for ${account.email}`, { token, token_type: 'Bearer', expires_at: expiresAt.toISOString(), user: account });
  });

  const admin = requireAdmin(tokens, users);
  const caller = (res: { locals: Record<string, unknown> }) => res.locals.caller as Caller;

  app.get('/users', admin, async (_req, res) => {
    const all = await users.list();
    reply(res, 200, `${all.length} users`, all);
  });

  app.get('/users/:id', admin, async (req, res) => {
    const account = await users.get(userId(req));
    if (!account) throw notFound('no such user');
    reply(res, 200, `user ${account.id}`, account);
  });

  app.patch('/users/:id', admin, jsonBody(), async (req, res) => {
    const id = userId(req);
    const wanted = validate(changes, req.body);
    if (Object.values(wanted).every((field) => field === undefined)) throw badRequest('nothing to change: give first_name, last_name or active');
    // An admin who deactivated their own account would lock themselves out mid-session.
    if (id === caller(res).id && wanted.active === 0) throw new HttpError(409, 'you cannot deactivate your own account');
    const account = await users.update(id, wanted);
    if (!account) throw notFound('no such user');
    reply(res, 200, `updated user ${account.id}`, account);
  });

  app.post('/users/:id/password', admin, jsonBody(), async (req, res) => {
    const id = userId(req);
    const { password } = validate(passwordReset, req.body);
    if (!(await users.setPasswordHash(id, await passwords.hash(password)))) throw notFound('no such user');
    reply(res, 200, `password reset for user ${id}`);
  });

  app.delete('/users/:id', admin, async (req, res) => {
    const id = userId(req);
    if (id === caller(res).id) throw new HttpError(409, 'you cannot delete your own account');
    if (!(await users.delete(id))) throw notFound('no such user');
    reply(res, 200, `deleted user ${id}`);
  });
}
