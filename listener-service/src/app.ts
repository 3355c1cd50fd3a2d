import type { Express } from 'express';
import { createHttpApp, type Logger } from '@go-micro/toolkit';
import type { ConsumerStatus } from '@go-micro/toolkit/queue';
import { mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  status: () => ConsumerStatus;
}

/** The listener's only HTTP surface: GET /health, and /ping from the toolkit. */
export function createApp({ logger, status }: AppDeps): Express {
  return createHttpApp({ logger }, (app) => mountRoutes(app, status));
}
