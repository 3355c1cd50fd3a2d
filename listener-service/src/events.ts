import { logEntry, EVENT_ID_PATTERN, type LogEntry, type LoggedEntry } from '@go-micro/contracts';
import type { Outcome } from '@go-micro/toolkit/queue';

export type { Outcome };

/** The message body as a log entry, checked against the same schema as every other way in, or the reason it is not one. */
export function parseEvent(content: Buffer): { event: LogEntry } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    return { problem: 'body is not valid JSON' };
  }
  const result = logEntry.safeParse(value);
  if (result.success) return { event: result.data };
  return { problem: `body is not {name, data}: ${result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}` };
}

/** The largest body read as an event: the largest log entry is under 200 KiB as JSON, under 400 KiB with every character escaped. */
export const MAX_EVENT_BYTES = 512 * 1024;

/** Where an event ends up; the logger's POST /log in production. */
export type WriteLog = (entry: LoggedEntry) => Promise<Outcome>;

/**
 * One message body, start to end: not an event goes to the dead-letter queue;
 * an event, whatever its name, is written to the logger with its id. (The
 * course's handlePayload wrote "log", "event" and unknown names, and left
 * "auth" as an empty placeholder that dropped the event; here every name is written.)
 */
export async function handleMessage(content: Buffer, messageId: string | undefined, writeLog: WriteLog, maxBytes = MAX_EVENT_BYTES): Promise<Outcome> {
  // Not even parsed: a body this large is no event, and a person can look at it in the dead-letter queue.
  if (content.length > maxBytes) return { kind: 'dead', reason: `body is larger than ${maxBytes} bytes` };
  const parsed = parseEvent(content);
  if ('problem' in parsed) return { kind: 'dead', reason: parsed.problem };
  // An id of another shape is left out rather than failing the event.
  const eventId = messageId && EVENT_ID_PATTERN.test(messageId) ? messageId : undefined;
  return writeLog({ ...parsed.event, ...(eventId ? { event_id: eventId } : {}) });
}
