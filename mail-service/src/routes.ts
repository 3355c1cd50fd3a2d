import type { Express } from 'express';
import { z } from 'zod';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { EVENT_ID_PATTERN } from '@go-micro/contracts';
import { forbidden, jsonBody, notFound, reply, tooManyRequests, validate } from '@go-micro/toolkit';
import type { SendMail } from './mailer.js';
import type { SenderPolicy } from './senders.js';
import type { WelcomeStore } from './welcome-store.js';

const MAX_MESSAGE_BYTES = 64 * 1024;

// One plain address: a list or a display name would let a caller mail more than one recipient.
const address = z
  .string({ error: 'must be a string' })
  .trim()
  .max(254, { error: 'must be at most 254 characters' })
  .pipe(z.email({ error: 'must be a single email address' }));

const mailRequest = z.object({
  from: z
    .string({ error: 'must be a string' })
    .trim()
    .optional()
    .transform((value) => value || undefined)
    .pipe(address.optional()),
  to: address,
  subject: z
    .string({ error: 'must be a string' })
    .max(255, { error: 'must be at most 255 characters' })
    // A line break in a header would let the caller add headers of their own.
    .refine((value) => !/[\r\n]/.test(value), { error: 'must not contain line breaks' }),
  message: z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .refine((value) => Buffer.byteLength(value) <= MAX_MESSAGE_BYTES, { error: 'must be at most 64 KiB' }),
});

export interface SendOptions {
  sendMail: SendMail;
  /** Which sign-ups have had their welcome mail. */
  welcomeMails: Pick<WelcomeStore, 'find'>;
  /** Who may be named as the sender (FROM_ADDRESS is always used when none is). */
  maySendAs: SenderPolicy;
  /** Mails this process sends per minute at most (MAIL_MAX_PER_MINUTE). */
  maxPerMinute: number;
}

export function mountRoutes(app: Express, { sendMail, welcomeMails, maySendAs, maxPerMinute }: SendOptions): void {
  // One count for the whole service: the broker limits each client; this bounds them all together.
  const sent = new RateLimiterMemory({ points: maxPerMinute, duration: 60 });
  app.post('/send', jsonBody(), async (req, res) => {
    const mail = validate(mailRequest, req.body);
    if (mail.from && !maySendAs(mail.from)) throw forbidden('from: this address may not send mail here');
    await sent.consume('all').catch((refused: unknown) => {
      throw refused instanceof RateLimiterRes ? tooManyRequests('mails', refused.msBeforeNext / 1000) : refused;
    });
    await sendMail(mail);
    reply(res, 202, `sent to ${mail.to}`);
  });

  /** Whether the welcome mail of a sign-up (known by its user.registered event id) has gone to the mail server. */
  app.get('/welcome-mails/:eventId', async (req, res) => {
    const eventId = String(req.params.eventId);
    const found = EVENT_ID_PATTERN.test(eventId) ? await welcomeMails.find(eventId) : undefined;
    if (!found) throw notFound('no welcome mail sent yet');
    reply(res, 200, `welcome mail sent to ${found.email}`, found);
  });
}
