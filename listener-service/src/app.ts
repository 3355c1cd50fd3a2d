import type { Express } from 'express';
import { createHttpApp, type Logger, type TrustProxy } from '@go-micro/toolkit';
import type { ConsumerStatus } from '@go-micro/toolkit/queue';
import { consuming, mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  status: () => ConsumerStatus;
  /** Whose X-Forwarded-For to believe (TRUST_PROXY); by default its callers' on private networks. */
  trustProxy?: TrustProxy;
}

/** The listener's only HTTP surface: GET /health with its counters, /ready (the same verdict, for orchestrators) and /ping. */
export function createApp({ logger, status, trustProxy }: AppDeps): Express {
  return createHttpApp({ logger, trustProxy, ready: { dependency: 'RabbitMQ', check: async () => consuming(status()) } }, (app) => mountRoutes(app, status));
}
