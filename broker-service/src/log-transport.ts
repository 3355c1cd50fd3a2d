import type { LogEntry } from '@go-micro/contracts';

/**
 * One way a log entry travels to logger-service (JSON-RPC, gRPC, RabbitMQ or
 * REST). `log` resolves with the message the broker answers with, and fails
 * with an HttpError naming what did not answer.
 */
export interface LogTransport {
  log(entry: LogEntry): Promise<string>;
  close(): Promise<void> | void;
}
