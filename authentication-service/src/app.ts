import type { Express } from 'express';
import { createHttpApp, type Logger } from '@go-micro/toolkit';
import type { AccountsDeps } from './accounts-routes.js';
import type { Authenticator } from './authenticate.js';
import { mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  authenticator: Authenticator;
  /** Sign-up, tokens and the users API. */
  accounts: AccountsDeps;
}

export function createApp({ logger, authenticator, accounts }: AppDeps): Express {
  return createHttpApp({ logger }, (app) => mountRoutes(app, authenticator, accounts));
}
