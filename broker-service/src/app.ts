import type { Express } from 'express';
import { createHttpApp, type Logger, type ReadinessCheck, type TrustProxy } from '@go-micro/toolkit';
import type { BrokerDeps } from './handlers.js';
import { mountRoutes } from './routes.js';

export interface BrokerAppOptions {
  /** The pages that may call the broker from a browser (CORS_ORIGINS). */
  corsOrigins: readonly string[];
  /** Ready while its RabbitMQ connection is up; the other services have readiness of their own. */
  ready?: ReadinessCheck;
  /** Whose X-Forwarded-For to believe (TRUST_PROXY): nobody's unless a proxy is in front. */
  trustProxy?: TrustProxy;
}

export function createApp(logger: Logger, deps: BrokerDeps, options: BrokerAppOptions = { corsOrigins: ['http://localhost:8081'] }): Express {
  return createHttpApp(
    {
      logger,
      corsOrigins: options.corsOrigins,
      trustProxy: options.trustProxy ?? false,
      ...(options.ready ? { ready: { dependency: 'RabbitMQ', check: options.ready } } : {}),
    },
    (app) => mountRoutes(app, deps),
  );
}
