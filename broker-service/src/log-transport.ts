import type { LogEntry } from '@go-micro/contracts';

/** What a log call carries besides the entry. */
export interface LogOptions {
  /** The client's Idempotency-Key: a retry with the same key stores one entry, whatever the first try was answered. */
  idempotencyKey?: string | undefined;
}

/**
 * One way a log entry travels to logger-service (JSON-RPC, gRPC, RabbitMQ or
 * REST). `log` resolves with the message the broker answers with, and fails
 * with an HttpError naming what did not answer. Every call carries its
 * deadline, so the logger drops or cuts work its caller no longer waits for.
 */
export interface LogTransport {
  log(entry: LogEntry, options?: LogOptions): Promise<string>;
  close(): Promise<void> | void;
}
