import type { Express } from 'express';
import { createHttpApp, type Logger } from '@go-micro/toolkit';
import type { SendMail } from './mailer.js';
import { mountRoutes } from './routes.js';
import type { WelcomeStore } from './welcome-store.js';

export interface AppDeps {
  logger: Logger;
  sendMail: SendMail;
  /** Which sign-ups have had their welcome mail. */
  welcomeMails: Pick<WelcomeStore, 'find'>;
}

export function createApp({ logger, sendMail, welcomeMails }: AppDeps): Express {
  return createHttpApp({ logger }, (app) => mountRoutes(app, sendMail, welcomeMails));
}
