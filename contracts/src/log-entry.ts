import { z } from 'zod';

/** The limits of one log entry, the same on every way in: the broker's routes, the queue, REST, JSON-RPC and gRPC. */
export const LOG_NAME_MAX_CHARS = 256;
export const LOG_DATA_MAX_CHARS = 64 * 1024;

/** An event's id (the AMQP message id the broker sets): what makes storing it twice harmless. */
export const EVENT_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** `{name, data}`, as the course's pages and services send it. */
export const logEntry = z.object(
  {
    name: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(LOG_NAME_MAX_CHARS, { error: `must be at most ${LOG_NAME_MAX_CHARS} characters` }),
    data: z.string({ error: 'must be a string' }).max(LOG_DATA_MAX_CHARS, { error: 'must be at most 64 KiB' }),
  },
  { error: 'must be an object' },
);

export const eventId = z.string({ error: 'must be a string' }).regex(EVENT_ID_PATTERN, { error: 'must be 1-128 letters, digits or . _ : -' });

/** What the logger stores: an entry, and for an event from the queue, its id. */
export const loggedEntry = logEntry.extend({ event_id: eventId.optional() });

export type LogEntry = z.output<typeof logEntry>;
export type LoggedEntry = z.output<typeof loggedEntry>;
