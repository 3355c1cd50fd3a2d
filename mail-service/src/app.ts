import type { Express } from 'express';
import { createHttpApp, type Logger } from '@go-micro/toolkit';
import type { SendMail } from './mailer.js';
import { mountRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  sendMail: SendMail;
}

export function createApp({ logger, sendMail }: AppDeps): Express {
  return createHttpApp({ logger }, (app) => mountRoutes(app, sendMail));
}
