import { badRequest } from '@go-micro/toolkit';
import { EVENT_ID_PATTERN } from './log-entry.js';

/**
 * What a call that stores a log entry carries besides the entry, on every
 * transport: when its caller stops waiting (the deadline), and the key that
 * makes a retry store one entry (the idempotency key, stored as the entry's
 * event id). gRPC carries its deadline natively; the others as below.
 */

/** REST: the deadline, in milliseconds since the Unix epoch (absolute, so time spent queued before it is read still counts). */
export const DEADLINE_HEADER = 'x-request-deadline';
/** REST and gRPC metadata: the caller's key for this entry (the IETF draft's header name). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** JSON-RPC: members of the request object beside method, params and id; Go's codec ignores members it does not know. */
export const JSON_RPC_DEADLINE = 'deadline';
export const JSON_RPC_IDEMPOTENCY_KEY = 'idempotency_key';
/** JSON-RPC: the caller's request id (x-request-id on the other transports), so the logger's line of the call carries it. */
export const JSON_RPC_REQUEST_ID = 'request_id';

/**
 * The deadline a caller sends: a little before it gives up itself, so the
 * callee's own "did not answer in time" normally reaches it first.
 */
export function deadlineWithin(timeoutMs: number, now = Date.now()): number {
  return now + timeoutMs - Math.min(500, Math.round(timeoutMs / 10));
}

/** Whether a value is a deadline as sent: whole milliseconds since the epoch. */
export const isDeadline = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/** A deadline header's value, or undefined without one; 400 when it is not milliseconds since the epoch. */
export function readDeadlineHeader(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const deadline = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!isDeadline(deadline)) throw badRequest(`${DEADLINE_HEADER} must be milliseconds since the Unix epoch`);
  return deadline;
}

/** The idempotency key's rule: the event id's (it becomes the entry's event_id and the AMQP messageId). */
export const IDEMPOTENCY_KEY_RULE = 'Idempotency-Key must be 1-128 letters, digits or . _ : -';

/** An Idempotency-Key header's value (or a JSON-RPC member's), or undefined without one; 400 when it breaks the rule. */
export function readIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !EVENT_ID_PATTERN.test(value)) throw badRequest(IDEMPOTENCY_KEY_RULE);
  return value;
}
