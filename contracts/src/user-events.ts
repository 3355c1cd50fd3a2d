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

/**
 * A name as it was stored: trimmed, not empty, no control characters (so never a line break
 * in a mail header). What user.registered carries, so that an event of a name signed up
 * before the rule below still gets its welcome mail.
 */
export const storedPersonName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty', abort: true })
  .max(USER_NAME_MAX_CHARS, { error: `must be at most ${USER_NAME_MAX_CHARS} characters`, abort: true })
  // eslint-disable-next-line no-control-regex
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { error: 'must not contain control characters', abort: true });

/**
 * A name as a person types it, in the sign-up form and the users API: letters and marks of
 * any script, spaces, apostrophes, hyphens and periods, at least one letter. No digits, no
 * ':', '/' or '@': the welcome mail greets by name, and a name must not read as a link, an
 * address or a message of the sender's ("Your parcel is held, pay at https://...").
 */
export const personName = storedPersonName.refine((value) => /^[\p{L}\p{M} '’.\-‐]*$/u.test(value) && /\p{L}/u.test(value), {
  error: 'may hold only letters, spaces, apostrophes, hyphens and periods',
});

/** `user.registered`: who signed up. Never the password or its hash. */
export const userRegistered = z.object(
  {
    event_id: eventId,
    user_id: z.number({ error: 'must be a number' }).int().positive(),
    email: z.email({ error: 'must be an email address' }),
    first_name: storedPersonName,
    last_name: storedPersonName,
    registered_at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time' }),
  },
  { error: 'must be an object' },
);

export type UserRegistered = z.output<typeof userRegistered>;
