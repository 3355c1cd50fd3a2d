import type { Express } from 'express';
import { createHttpApp, type Logger, type TrustProxy } from '@go-micro/toolkit';
import type { SendMail } from './mailer.js';
import { mountRoutes } from './routes.js';
import { COURSE_PAGE_SENDER, senderPolicy, type SenderPolicy } from './senders.js';
import type { WelcomeStore } from './welcome-store.js';

export interface AppDeps {
  logger: Logger;
  sendMail: SendMail;
  /** Which sign-ups have had their welcome mail. */
  welcomeMails: Pick<WelcomeStore, 'find'>;
  /** Who may be named as the sender; by default the course's two (development). */
  maySendAs?: SenderPolicy;
  /** Mails sent per minute at most; 60 by default. */
  maxPerMinute?: number;
  /** Whether the mail server answers, for GET /ready. */
  ready?: () => Promise<void>;
  /** Whose X-Forwarded-For to believe (TRUST_PROXY); by default its callers' on private networks. */
  trustProxy?: TrustProxy;
}

export function createApp({ logger, sendMail, welcomeMails, maySendAs, maxPerMinute, ready, trustProxy }: AppDeps): Express {
  return createHttpApp({ logger, trustProxy, untypedFromServices: true, ...(ready ? { ready: { dependency: 'mail server', check: ready } } : {}) }, (app) =>
    mountRoutes(app, {
      sendMail,
      welcomeMails,
      maySendAs: maySendAs ?? senderPolicy(['john.smith@example.com', COURSE_PAGE_SENDER]),
      maxPerMinute: maxPerMinute ?? 60,
    }),
  );
}
