import type { z } from 'zod';
import { badRequest } from './http-error.js';

/**
 * Checks `value` against `schema` and returns it typed, or throws a 400 whose
 * message names the wrong field: "auth.email: Invalid email address".
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  throw badRequest(message);
}
