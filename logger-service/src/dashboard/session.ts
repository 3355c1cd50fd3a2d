import type { Request, RequestHandler, Response } from 'express';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import MongoStore from 'connect-mongo';
import { doubleCsrf } from 'csrf-csrf';
import { csrfSync } from 'csrf-sync';
import type { MongoClient } from 'mongodb';
import type { DashboardUser } from './admin-login.js';

declare module 'express-session' {
  interface SessionData {
    admin?: DashboardUser;
  }
}

export interface SessionOptions {
  mongo: MongoClient;
  secret: string;
  /** Send the cookie over HTTPS only (behind a TLS proxy). */
  secureCookie: boolean;
}

const EIGHT_HOURS_MS = 8 * 60 * 60 * 1000;

/**
 * Sessions in MongoDB (connect-mongo, in logs.sessions), so they survive a
 * restart and are shared by replicas; an httpOnly, SameSite=Lax cookie that
 * page scripts cannot read and other sites' forms do not send. Expired
 * sessions are removed every 10 minutes by a query rather than a TTL index,
 * which FerretDB 1.x does not have. A session is stored only once something
 * is put in it: at sign-in, never for a visitor who only opens the login page.
 */
export function dashboardSession({ mongo, secret, secureCookie }: SessionOptions): RequestHandler {
  return session({
    name: 'logger.sid',
    secret,
    store: MongoStore.create({ client: mongo, dbName: 'logs', collectionName: 'sessions', autoRemove: 'interval', autoRemoveInterval: 10, stringify: false }),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: secureCookie, maxAge: EIGHT_HOURS_MS, path: '/' },
  });
}

/**
 * CSRF tokens of a signed-in admin's forms by the synchroniser-token pattern
 * (csrf-sync): one secret per session, put in every form as `_csrf`, required
 * on every POST. A form posted from another site cannot know it.
 */
export const csrf = csrfSync({
  getTokenFromRequest: (req) => (req.body as { _csrf?: unknown } | undefined)?._csrf as string | undefined,
  errorConfig: { statusCode: 403, message: 'the form has expired or did not come from this dashboard', code: 'EBADCSRFTOKEN' },
});

/** The login form's CSRF protection: what the login page puts in its form, and the check of the POST. */
export interface LoginFormCsrf {
  token(req: Request, res: Response): string;
  /** Reads the cookie and refuses a POST whose `_csrf` does not match it (403, EBADCSRFTOKEN). */
  protection: RequestHandler[];
}

/**
 * The login form is protected by a signed double-submit cookie (csrf-csrf)
 * rather than by the session: a synchroniser token would need a stored
 * session for every visitor who only opens the page. The token, an HMAC of a
 * random value under the session secret, is both in an httpOnly SameSite=Strict
 * cookie and in the form; another site can neither read the cookie nor, under
 * the __Host- prefix that HTTPS allows, set one of its own.
 */
export function loginFormCsrf({ secret, secureCookie }: Pick<SessionOptions, 'secret' | 'secureCookie'>): LoginFormCsrf {
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secret,
    // There is no session yet to bind the token to: the cookie itself is the visitor's.
    getSessionIdentifier: () => 'login-form',
    cookieName: secureCookie ? '__Host-logger.login-csrf' : 'logger.login-csrf',
    cookieOptions: { httpOnly: true, sameSite: 'strict', secure: secureCookie, path: '/' },
    getCsrfTokenFromRequest: (req) => (req.body as { _csrf?: unknown } | undefined)?._csrf as string | undefined,
    errorConfig: { statusCode: 403, message: 'the form has expired or did not come from this dashboard', code: 'EBADCSRFTOKEN' },
  });
  return { token: (req, res) => generateCsrfToken(req, res), protection: [cookieParser(), doubleCsrfProtection] };
}
