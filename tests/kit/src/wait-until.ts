import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between two checks. */
  intervalMs?: number;
  /** Names what is awaited, for the timeout message. */
  what: string;
}

/**
 * Calls `check` until it returns something other than undefined, and returns
 * that. A check that throws stops the wait with its error; a check that keeps
 * answering undefined ends in a timeout error naming `what`.
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 50, what }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
