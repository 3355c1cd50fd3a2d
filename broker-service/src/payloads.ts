import { z } from 'zod';

/** The bodies the page sends to /handle, as the course defined them. */
export const authPayload = z.object({
  email: z.email({ error: 'must be an email address' }),
  password: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
});

export const logPayload = z.object({
  name: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).max(256, { error: 'must be at most 256 characters' }),
  data: z.string({ error: 'must be a string' }).max(64 * 1024, { error: 'must be at most 64 KiB' }),
});

// The broker checks only the shape; mail-service owns the rules for addresses and headers.
export const mailPayload = z.object({
  from: z.string({ error: 'must be a string' }).optional(),
  to: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  subject: z.string({ error: 'must be a string' }),
  message: z.string({ error: 'must be a string' }),
});

export type AuthPayload = z.output<typeof authPayload>;
export type LogPayload = z.output<typeof logPayload>;
export type MailPayload = z.output<typeof mailPayload>;

/** `action` first, so an unknown action answers "unknown action" before its payload is looked at. */
export const requestPayload = z.object({
  action: z.string({ error: 'must be a string' }),
});

export const handleRequests = {
  auth: z.object({ auth: authPayload }),
  log: z.object({ log: logPayload }),
  mail: z.object({ mail: mailPayload }),
};

/** /log-grpc, /log-rabbit and /log-http take the same body as the log action. */
export const logRequest = z.object({ log: logPayload });
