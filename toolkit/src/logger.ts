import { pino, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';
import { currentTraceId } from './tracing.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines instead of JSON; by default when stdout is a terminal. */
  pretty?: boolean | undefined;
}

/** JSON to stdout, one line per event, stamped with the service name, the current request id and, when a span is active, its trace id. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY;
  return pino({
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
  });
}
