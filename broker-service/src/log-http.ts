import { DEADLINE_HEADER, deadlineWithin, IDEMPOTENCY_KEY_HEADER, type LogEntry } from '@go-micro/contracts';
import type { ServiceClient } from '@go-micro/toolkit/client';
import type { LogOptions, LogTransport } from './log-transport.js';

/**
 * The logger's REST endpoint, POST /log, over the keep-alive connections of
 * one ServiceClient; the deadline and the idempotency key go as headers.
 */
export class HttpLog implements LogTransport {
  constructor(
    private readonly loggerService: ServiceClient,
    /** The client's own timeout: the deadline sent is a little before it. */
    private readonly timeoutMs: number,
  ) {}

  async log(entry: LogEntry, options: LogOptions = {}): Promise<string> {
    const headers = {
      [DEADLINE_HEADER]: String(deadlineWithin(this.timeoutMs)),
      ...(options.idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: options.idempotencyKey } : {}),
    };
    await this.loggerService.call('/log', { name: entry.name, data: entry.data }, { headers });
    return 'logged';
  }

  close(): void {}
}
