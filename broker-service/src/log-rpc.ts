import { JsonRpcClient, type LogEntry } from '@go-micro/contracts';
import { badGateway, type Logger } from '@go-micro/toolkit';
import type { LogOptions, LogTransport } from './log-transport.js';

const SERVICE = 'logger-service';

/**
 * The logger's RPCServer.LogInfo over Go's JSON-RPC, as the course's /handle
 * log action called it; the reply is the logger's own words,
 * "Processed payload via RPC:<name>".
 */
export class RpcLog implements LogTransport {
  private readonly client: JsonRpcClient;

  constructor(options: { address: string; timeoutMs: number; logger: Logger }) {
    this.client = new JsonRpcClient({ ...options, service: SERVICE });
  }

  async log(entry: LogEntry, options: LogOptions = {}): Promise<string> {
    const result = await this.client.call('RPCServer.LogInfo', { Name: entry.name, Data: entry.data }, { idempotencyKey: options.idempotencyKey });
    if (typeof result !== 'string') throw badGateway(SERVICE, 'gave a bad answer (the result is not text)');
    return result;
  }

  close(): void {
    this.client.close();
  }
}
