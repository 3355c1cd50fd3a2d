import { z } from 'zod';
import { eventId, logEntry } from '@go-micro/contracts';
import { badRequest, validate } from '@go-micro/toolkit';

/** The bodies the page sends to /handle, as the course defined them. */
const authPayload = z.object(
  {
    email: z.email({ error: 'must be an email address' }),
    password: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  },
  { error: 'must be an object' },
);

// The broker checks only the shape; mail-service owns the rules for addresses and headers.
const mailPayload = z.object(
  {
    from: z.string({ error: 'must be a string' }).optional(),
    to: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
    subject: z.string({ error: 'must be a string' }),
    message: z.string({ error: 'must be a string' }),
  },
  { error: 'must be an object' },
);

// A sign-up: the broker checks only the shape; authentication-service owns the rules (README, "Sign-up").
const registerPayload = z.object(
  {
    email: z.string({ error: 'must be a string' }),
    first_name: z.string({ error: 'must be a string' }),
    last_name: z.string({ error: 'must be a string' }),
    password: z.string({ error: 'must be a string' }),
  },
  { error: 'must be an object' },
);

// Has the welcome mail of a sign-up gone out? Asked by the id the sign-up answered with.
const welcomePayload = z.object({ event_id: eventId }, { error: 'must be an object' });

/** POST /handle: one body, told apart by `action`. */
const handleRequest = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('auth'), auth: authPayload }),
    z.object({ action: z.literal('log'), log: logEntry }),
    z.object({ action: z.literal('mail'), mail: mailPayload }),
    z.object({ action: z.literal('register'), register: registerPayload }),
    z.object({ action: z.literal('welcome'), welcome: welcomePayload }),
  ],
  { error: 'body must be a JSON object' },
);

export type HandleRequest = z.output<typeof handleRequest>;

/** Validates a /handle body once; an action it does not know answers "unknown action", as the course did. */
export function readHandleRequest(body: unknown): HandleRequest {
  const result = handleRequest.safeParse(body);
  if (result.success) return result.data;
  const noSuchAction = result.error.issues.some((issue) => issue.code === 'invalid_union' && issue.path.join('.') === 'action');
  if (noSuchAction) {
    const action: unknown = typeof body === 'object' && body !== null ? (body as { action?: unknown }).action : undefined;
    throw badRequest(typeof action === 'string' ? 'unknown action' : 'action: must be a string');
  }
  return validate(handleRequest, body);
}

/** /log-grpc, /log-rabbit and /log-http take the same body as the log action. */
export const logRequest = z.object({ log: logEntry }, { error: 'body must be a JSON object' });
