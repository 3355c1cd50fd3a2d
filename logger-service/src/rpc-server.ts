import { goStructField, JsonRpcServer, logEntry } from '@go-micro/contracts';
import { validate, type Logger } from '@go-micro/toolkit';
import type { LogWriter } from './logs-store.js';

/**
 * The course's RPCServer type on the JSON-RPC port: one method, LogInfo,
 * taking Go's struct {Name, Data} and answering "Processed payload via RPC:<name>".
 */
export function createRpcServer(logs: LogWriter, logger: Logger): JsonRpcServer {
  return new JsonRpcServer(
    {
      'RPCServer.LogInfo': async (payload) => {
        const entry = validate(logEntry, { name: goStructField(payload, 'Name'), data: goStructField(payload, 'Data') });
        await logs.write(entry);
        return `Processed payload via RPC:${entry.name}`;
      },
    },
    logger,
  );
}
