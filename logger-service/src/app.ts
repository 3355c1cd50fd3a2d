import type { Express } from 'express';
import { createHttpApp, type Logger } from '@go-micro/toolkit';
import type { LogWriter } from './logs-store.js';
import { mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  logs: LogWriter;
  /** Whether MongoDB answers, for GET /ready. */
  ready?: () => Promise<void>;
}

export function createApp({ logger, logs, ready }: AppDeps): Express {
  return createHttpApp({ logger, ...(ready ? { ready: { dependency: 'MongoDB', check: ready } } : {}) }, (app) => mountRoutes(app, logs));
}
