import type { Express } from 'express';
import { createHttpApp, type Logger } from '@go-micro/toolkit';
import type { BrokerDeps } from './handlers.js';
import { mountRoutes } from './routes.js';

export function createApp(logger: Logger, deps: BrokerDeps): Express {
  return createHttpApp({ logger, cors: true }, (app) => mountRoutes(app, deps));
}
