import pRetry, { type Options } from 'p-retry';
import type { Logger } from './logger.js';

export interface WaitOptions {
  /** Give up after this many attempts; the default waits about two minutes. */
  retries?: number;
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Connects to a dependency with exponential backoff, saying what it is waiting
 * for on every failed attempt: "waiting for Postgres (attempt 3): ECONNREFUSED".
 */
export function waitFor<T>(what: string, logger: Logger, connect: () => Promise<T>, options: WaitOptions = {}): Promise<T> {
  const retryOptions: Options = {
    ...(options.signal ? { signal: options.signal } : {}),
    retries: options.retries ?? 20,
    minTimeout: options.minTimeoutMs ?? 250,
    maxTimeout: options.maxTimeoutMs ?? 8_000,
    factor: 2,
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      logger.warn({ attempt: attemptNumber, retriesLeft, reason: error.message }, `waiting for ${what}`);
    },
  };
  return pRetry(connect, retryOptions).then((value) => {
    logger.info(`connected to ${what}`);
    return value;
  });
}
