import type { RequestHandler } from 'express';
import session from 'express-session';
import MongoStore from 'connect-mongo';
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
 * which FerretDB 1.x does not have.
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
 * CSRF tokens by the synchroniser-token pattern (csrf-sync): one secret per
 * session, put in every form as `_csrf`, required on every POST. A form
 * posted from another site cannot know it.
 */
export const csrf = csrfSync({
  getTokenFromRequest: (req) => (req.body as { _csrf?: unknown } | undefined)?._csrf as string | undefined,
  errorConfig: { statusCode: 403, message: 'the form has expired or did not come from this dashboard', code: 'EBADCSRFTOKEN' },
});
