import { validate } from '@go-micro/toolkit';
import { logEntryInput, type LogWriter } from './log-entry.js';
import type { RpcMethod } from './rpc-server.js';

/**
 * Reads a field the way Go's encoding/json fills a struct: the exact key
 * first, else any key equal to it ignoring case; a missing field is Go's zero value "".
 */
function goField(value: unknown, field: string): unknown {
  if (typeof value !== 'object' || value === null) return '';
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, field)) return record[field];
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === field.toLowerCase());
  return key === undefined ? '' : record[key];
}

/** The course's RPCServer type: one method, LogInfo, taking {Name, Data}. */
export const rpcMethods = (logs: LogWriter): Record<string, RpcMethod> => ({
  'RPCServer.LogInfo': async (payload) => {
    const entry = validate(logEntryInput, { name: goField(payload, 'Name'), data: goField(payload, 'Data') });
    await logs.write(entry);
    return `Processed payload via RPC: ${entry.name}`;
  },
});
