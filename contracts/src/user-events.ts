import { z } from 'zod';
import { eventId } from './log-entry.js';

/**
 * What the authentication service (publisher) and the mail service (consumer)
 * agree on for user events over RabbitMQ. The body of `user.registered` is a
 * UserRegistered as JSON; its AMQP messageId is its event_id (the outbox row's id).
 */

/** The exchange every user event goes through: topic, durable. */
export const USER_EXCHANGE = 'users_topic';
export const USER_EXCHANGE_TYPE = 'topic';

/** The key a new sign-up is published with. */
export const USER_REGISTERED_KEY = 'user.registered';

/** The mail service's durable queue of sign-ups to welcome; `.retry` and `.dead` go with it. */
export const WELCOME_QUEUE = 'mail_welcome';

/** The limits of a user's names, the same in the sign-up form, the users API and the event. */
export const USER_NAME_MAX_CHARS = 100;

/** A name as a person types it: trimmed, not empty, no control characters (so never a line break in a mail header). */
export const personName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(USER_NAME_MAX_CHARS, { error: `must be at most ${USER_NAME_MAX_CHARS} characters` })
  // eslint-disable-next-line no-control-regex
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { error: 'must not contain control characters' });

/** `user.registered`: who signed up. Never the password or its hash. */
export const userRegistered = z.object(
  {
    event_id: eventId,
    user_id: z.number({ error: 'must be a number' }).int().positive(),
    email: z.email({ error: 'must be an email address' }),
    first_name: personName,
    last_name: personName,
    registered_at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time' }),
  },
  { error: 'must be an object' },
);

export type UserRegistered = z.output<typeof userRegistered>;
