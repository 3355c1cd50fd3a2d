import type { Express } from 'express';
import { createHttpApp, type Logger } from '@go-micro/toolkit';
import type { Authenticator } from './authenticate.js';
import { mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  authenticator: Authenticator;
}

export function createApp({ logger, authenticator }: AppDeps): Express {
  return createHttpApp({ logger }, (app) => mountRoutes(app, authenticator));
}
