import type { Express } from 'express';
import { z } from 'zod';
import { EVENT_ID_PATTERN } from '@go-micro/contracts';
import { jsonBody, notFound, reply, validate } from '@go-micro/toolkit';
import type { SendMail } from './mailer.js';
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

export function mountRoutes(app: Express, sendMail: SendMail, welcomeMails: Pick<WelcomeStore, 'find'>): void {
  app.post('/send', jsonBody(), async (req, res) => {
    const mail = validate(mailRequest, req.body);
    await sendMail(mail);
    reply(res, 202, `sent to ${mail.to}`);
  });

  /** Whether the welcome mail of a sign-up (known by its user.registered event id) has gone to the mail server. */
  app.get('/welcome-mails/:eventId', async (req, res) => {
    const eventId = String(req.params.eventId);
    const sent = EVENT_ID_PATTERN.test(eventId) ? await welcomeMails.find(eventId) : undefined;
    if (!sent) throw notFound('no welcome mail sent yet');
    reply(res, 200, `welcome mail sent to ${sent.email}`, sent);
  });
}
