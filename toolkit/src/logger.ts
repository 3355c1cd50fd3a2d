import { pino, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';
import { currentTraceId } from './tracing.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines instead of JSON; by default when stdout is a terminal. */
  pretty?: boolean | undefined;
}

/**
 * JSON to stdout, one line per event, stamped with the service name, the current request id and, when a span is active, its trace id.
 *
 * Written asynchronously, as pino advises for production: a line is queued and
 * the lines queued while a write is in flight go out in the next one, so a busy
 * service makes one write for many lines instead of a blocking write for each.
 * Nothing waits to fill a buffer, so a quiet service's line appears at once;
 * and pino flushes what is queued synchronously when the process exits, a
 * crash included (exitOnCrash logs, then exits).
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY;
  const settings = {
    name: service,
    level: options.level ?? 'info',
    base: { service },
    mixin: () => {
      const reqId = currentRequestId();
      const traceId = currentTraceId();
      if (!traceId) return reqId ? { reqId } : {};
      return reqId ? { reqId, traceId } : { traceId };
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l', singleLine: true } } }
      : {}),
  };
  return pretty ? pino(settings) : pino(settings, pino.destination({ dest: 1, sync: false }));
}
