import { pino, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines instead of JSON; defaults to LOG_PRETTY, else "stdout is a terminal". */
  pretty?: boolean;
}

/** JSON to stdout, one line per event, stamped with the service name and the current request id. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const fromEnv = process.env.LOG_PRETTY;
  const pretty = options.pretty ?? (fromEnv ? fromEnv === 'true' || fromEnv === '1' : process.stdout.isTTY);
  return pino({
    name: service,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
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
