import type { Express } from 'express';
import { createHttpApp, type Logger, type TrustProxy } from '@go-micro/toolkit';
import type { AccountsDeps } from './accounts/accounts-routes.js';
import type { Authenticator } from './login/authenticate.js';
import { mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  authenticator: Authenticator;
  /** Sign-up, tokens and the users API. */
  accounts: AccountsDeps;
  /** Whether Postgres answers, for GET /ready. */
  ready?: () => Promise<void>;
  /** Whose X-Forwarded-For to believe (TRUST_PROXY): by default the broker's, on this machine or a private network. */
  trustProxy?: TrustProxy;
}

export function createApp({ logger, authenticator, accounts, ready, trustProxy }: AppDeps): Express {
  return createHttpApp({ logger, trustProxy, untypedFromServices: true, ...(ready ? { ready: { dependency: 'Postgres', check: ready } } : {}) }, (app) =>
    mountRoutes(app, authenticator, accounts),
  );
}
