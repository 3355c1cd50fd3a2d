import type { RequestHandler } from 'express';
import { reply } from './envelope.js';
import { gatewayTimeout, HttpError, serviceUnavailable } from './http-error.js';

/**
 * Resolves when the service's own dependencies answer; rejects (an HttpError
 * naming the one that does not, ideally) when they do not. `name` says what
 * to call it in the reply when the check itself is too slow.
 */
export type ReadinessCheck = () => Promise<unknown>;

export interface ReadinessOptions {
  /** What to name when the check does not finish in time. */
  dependency?: string;
  /** Bound on one check. */
  timeoutMs?: number;
  /** A result is reused for this long, so a flood of probes makes one check, not thousands. */
  cacheMs?: number;
}

/**
 * GET /ready: 200 `{"error":false,"message":"ready"}` while the check passes,
 * 503 naming what does not answer otherwise. Unlike /ping (is the process
 * alive?) this says whether it can work: orchestrators send it traffic only then.
 * One check runs at a time and its answer is kept for a second.
 */
export function readiness(check: ReadinessCheck, options: ReadinessOptions = {}): RequestHandler {
  const { dependency = 'a dependency', timeoutMs = 2_000, cacheMs = 1_000 } = options;
  let last: { at: number; result: Promise<void> } | undefined;

  const run = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(gatewayTimeout(dependency)), timeoutMs);
    });
    try {
      await Promise.race([check(), late]);
    } catch (err) {
      throw err instanceof HttpError ? err : serviceUnavailable(dependency, err);
    } finally {
      clearTimeout(timer);
    }
  };

  return async (_req, res) => {
    const now = Date.now();
    if (!last || now - last.at > cacheMs) {
      const result = run();
      result.catch(() => undefined);
      last = { at: now, result };
    }
    try {
      await last.result;
    } catch (err) {
      // Not ready is 503 whatever the cause, so a probe reads one status; the message names the cause.
      const { message, cause } = err as HttpError;
      throw new HttpError(503, message, { cause });
    }
    reply(res, 200, 'ready');
  };
}
