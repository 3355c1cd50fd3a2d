import { z } from 'zod';

/** bcrypt reads no more than 72 bytes of a password: a longer one would be cut without a word. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_CHARS = 10;

/**
 * A new password (sign-up, reset): 10 characters or more, at most 72 bytes,
 * with at least one letter and at least one digit or symbol. The README states
 * the same rules. (Logins keep accepting any password that was ever set.)
 */
export const newPassword = z
  .string({ error: 'must be a string' })
  .min(PASSWORD_MIN_CHARS, { error: `must be at least ${PASSWORD_MIN_CHARS} characters` })
  .refine((value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES, { error: `must be at most ${PASSWORD_MAX_BYTES} bytes` })
  .refine((value) => /\p{L}/u.test(value), { error: 'must contain a letter' })
  .refine((value) => /[^\p{L}]/u.test(value), { error: 'must contain a digit or a symbol' });

/** An address to sign up with: one plain address, trimmed, as long as the column allows. */
export const newEmail = z
  .string({ error: 'must be a string' })
  .trim()
  .max(255, { error: 'must be at most 255 characters' })
  .pipe(z.email({ error: 'must be an email address' }));
