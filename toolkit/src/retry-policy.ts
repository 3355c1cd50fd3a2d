/** Our own count of failed tries, carried in the message headers (RabbitMQ's x-death counts dead-letterings, not tries). */
export const ATTEMPTS_HEADER = 'x-attempts';
/** Why an event ended in the dead-letter queue, for whoever reads it there. */
export const FAILURE_HEADER = 'x-failure-reason';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** How many tries of this message have failed before this one. */
export function failedAttempts(headers: Record<string, unknown> | undefined): number {
  const value = Number(headers?.[ATTEMPTS_HEADER] ?? 0);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/** What to do after the `failed`-th failure: wait and try again, or give up. */
export function nextStep(policy: RetryPolicy, failed: number): { retryInMs: number } | { giveUp: true } {
  if (failed >= policy.maxAttempts) return { giveUp: true };
  return { retryInMs: Math.min(policy.baseDelayMs * 2 ** (failed - 1), policy.maxDelayMs) };
}
