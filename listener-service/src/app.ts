import type { Express } from 'express';
import { createHttpApp, type Logger } from '@go-micro/toolkit';
import type { ConsumerStatus } from '@go-micro/toolkit/queue';
import { consuming, mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  status: () => ConsumerStatus;
}

/** The listener's only HTTP surface: GET /health with its counters, /ready (the same verdict, for orchestrators) and /ping. */
export function createApp({ logger, status }: AppDeps): Express {
  return createHttpApp({ logger, ready: { dependency: 'RabbitMQ', check: async () => consuming(status()) } }, (app) => mountRoutes(app, status));
}
