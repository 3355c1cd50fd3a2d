import { goStructField, JsonRpcServer, logEntry, readIdempotencyKey } from '@go-micro/contracts';
import { validate, type Logger } from '@go-micro/toolkit';
import type { LogWriter } from './logs-store.js';

/**
 * The course's RPCServer type on the JSON-RPC port: one method, LogInfo,
 * taking Go's struct {Name, Data} and answering "Processed payload via RPC:<name>".
 * Our broker's calls also carry a deadline and may carry an idempotency key.
 */
export function createRpcServer(logs: LogWriter, logger: Logger): JsonRpcServer {
  return new JsonRpcServer(
    {
      'RPCServer.LogInfo': async (payload, { deadline, idempotencyKey }) => {
        const entry = validate(logEntry, { name: goStructField(payload, 'Name'), data: goStructField(payload, 'Data') });
        const eventId = readIdempotencyKey(idempotencyKey);
        await logs.write({ ...entry, ...(eventId ? { event_id: eventId } : {}) }, { deadline });
        return `Processed payload via RPC:${entry.name}`;
      },
    },
    logger,
  );
}
