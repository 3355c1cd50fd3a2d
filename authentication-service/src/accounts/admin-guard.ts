import type { RequestHandler } from 'express';
import { forbidden, unauthorized } from '@go-micro/toolkit';
import type { Tokens } from './tokens.js';
import type { UsersStore } from './users-store.js';

/** The admin a request of the users API was made by. */
export interface Caller {
  id: number;
  email: string;
}

/**
 * Lets a request through only with `Authorization: Bearer <token>` for a user
 * who, now, exists, is active and is an admin: a token outlives nothing about
 * its user, so an admin who is deactivated or deleted loses access at once.
 * No token or a bad one: 401. A user who is not an admin: 403.
 */
export const requireAdmin =
  (tokens: Tokens, users: UsersStore): RequestHandler =>
  async (req, res, next) => {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw unauthorized('a bearer token is required (POST /token)');
    const claims = await tokens.verify(token);
    if (!claims) throw unauthorized('the token is invalid or has expired');
    const account = await users.get(claims.userId);
    if (!account || account.active !== 1) throw unauthorized('the token is invalid or has expired');
    if (!account.admin) throw forbidden('only an admin may manage users');
    res.locals.caller = { id: account.id, email: account.email } satisfies Caller;
    next();
  };
