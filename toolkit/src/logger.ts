import { pino, type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';
import { currentTraceId } from './tracing.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines instead of JSON; by default when stdout is a terminal. */
  pretty?: boolean | undefined;
}

/**
 * Where the JSON lines go: a line is queued, and the lines of one turn of the
 * event loop are written together, synchronously, when the turn ends, with
 * pino's own destination (sonic-boom, which retries a full pipe).
 *
 * Measured on the broker's `POST /` (tests/bench/README.md): pino's
 * asynchronous destination hands every write to libuv's thread pool, a wake-up
 * of another thread and a completion back for each; at one connection, where
 * every request is a turn of its own, that made the access line cost 30 µs of
 * CPU a request, a third of the broker's, and half of it system time. Written
 * at the end of the turn, a quiet service's line still appears at once, a busy
 * one makes one write for many lines, and nothing crosses threads. What is
 * queued when the process exits (a crash included: exitOnCrash logs, then
 * exits) is written on the way out.
 */
class LinesPerTurn implements DestinationStream {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly out: ReturnType<typeof pino.destination>) {
    process.once('exit', () => this.flushSync());
  }

  write(line: string): void {
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.endOfTurn);
    }
  }

  private readonly endOfTurn = () => {
    this.scheduled = false;
    this.flushSync();
  };

  /** Writes what is queued now (pino's logger.flush calls it too). */
  flushSync(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.out.write(lines);
  }

  flush(callback?: (err?: Error) => void): void {
    this.flushSync();
    callback?.();
  }
}

/** One for the process: every logger's lines go to stdout through it, in the order they were logged. */
let stdoutLines: LinesPerTurn | undefined;

/** JSON to stdout, one line per event, stamped with the service name, the current request id and, when a span is active, its trace id. */
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
  if (pretty) return pino(settings);
  stdoutLines ??= new LinesPerTurn(pino.destination({ dest: 1, sync: true }));
  return pino(settings, stdoutLines);
}
