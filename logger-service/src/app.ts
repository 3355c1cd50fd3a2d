import type { Express } from 'express';
import { createHttpApp, type Logger, type TrustProxy } from '@go-micro/toolkit';
import { dashboardRouter, type DashboardDeps } from './dashboard/routes.js';
import type { LogWriter } from './logs-store.js';
import { mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  logs: LogWriter;
  /** The admin dashboard (/login, /admin/...); left out, the logger serves only its logging API. */
  dashboard?: Omit<DashboardDeps, 'logger'>;
  /** Whether MongoDB answers, for GET /ready. */
  ready?: () => Promise<void>;
  /** Whose X-Forwarded-For to believe (TRUST_PROXY): nobody's unless a proxy is in front of the dashboard. */
  trustProxy?: TrustProxy;
}

export function createApp({ logger, logs, dashboard, ready, trustProxy = false }: AppDeps): Express {
  const forms = dashboard ? { formPaths: ['/login', '/logout', '/admin'] } : {};
  // Only other services call the logging API: the Go original's send their JSON without a Content-Type.
  return createHttpApp({ logger, trustProxy, ...forms, untypedFromServices: true, ...(ready ? { ready: { dependency: 'MongoDB', check: ready } } : {}) }, (app) => {
    mountRoutes(app, logs);
    if (dashboard) app.use(dashboardRouter({ logger, ...dashboard }));
  });
}
