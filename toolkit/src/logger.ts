import { pino, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines instead of JSON; by default when stdout is a terminal. */
  pretty?: boolean | undefined;
}

/** JSON to stdout, one line per event, stamped with the service name and the current request id. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY;
  return pino({
    name: service,
    level: options.level ?? 'info',
    base: { service },
    mixin: () => {
      const reqId = currentRequestId();
      return reqId ? { reqId } : {};
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l', singleLine: true } } }
      : {}),
  });
}
