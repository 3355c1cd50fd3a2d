import type { LogEntry } from '@go-micro/contracts';
import type { ServiceClient } from '@go-micro/toolkit/client';
import type { LogTransport } from './log-transport.js';

/** The logger's REST endpoint, POST /log, over the keep-alive connections of one ServiceClient. */
export class HttpLog implements LogTransport {
  constructor(private readonly loggerService: ServiceClient) {}

  async log(entry: LogEntry): Promise<string> {
    await this.loggerService.call('/log', { name: entry.name, data: entry.data });
    return 'logged';
  }

  close(): void {}
}
