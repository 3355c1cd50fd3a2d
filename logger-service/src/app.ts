import type { Express } from 'express';
import { createHttpApp, type Logger } from '@go-micro/toolkit';
import type { LogWriter } from './logs-store.js';
import { mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  logs: LogWriter;
}

export function createApp({ logger, logs }: AppDeps): Express {
  return createHttpApp({ logger }, (app) => mountRoutes(app, logs));
}
