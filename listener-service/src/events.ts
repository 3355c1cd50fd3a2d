import { z } from 'zod';
import type { LogEvent } from '@go-micro/toolkit';

/** What became of one event: stored, worth another try later, or never going to work. */
export type Outcome = { kind: 'done' } | { kind: 'retry'; reason: string } | { kind: 'dead'; reason: string };

const logEvent = z.object({
  name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  data: z.string({ error: 'must be a string' }),
});

/** The message body as an event, or the reason it is not one. */
export function parseEvent(content: Buffer): { event: LogEvent } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    return { problem: 'body is not valid JSON' };
  }
  const result = logEvent.safeParse(value);
  if (result.success) return { event: result.data };
  return { problem: `body is not {name, data}: ${result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}` };
}

/** Where an event ends up; the logger's POST /log in production. */
export type WriteLog = (entry: LogEvent & { event_id?: string }) => Promise<Outcome>;

/**
 * What the listener does with each event, by name, as the course's
 * handlePayload did: "log", "event" and any name it does not know are written
 * to the logger. The course left "auth" as an empty placeholder, which dropped
 * those events without a trace; here "auth" is written to the logger too.
 */
export async function handleEvent(event: LogEvent, eventId: string | undefined, writeLog: WriteLog): Promise<Outcome> {
  switch (event.name) {
    case 'auth':
    case 'log':
    case 'event':
    default:
      return writeLog({ name: event.name, data: event.data, ...(eventId ? { event_id: eventId } : {}) });
  }
}

/** Event ids the logger accepts; an id of another shape is left out rather than failing the event. */
const EVENT_ID = /^[\w.:-]{1,128}$/;

/** One message body, start to end: not an event goes to the dead-letter queue, an event goes to the logger. */
export async function handleMessage(content: Buffer, messageId: string | undefined, writeLog: WriteLog): Promise<Outcome> {
  const parsed = parseEvent(content);
  if ('problem' in parsed) return { kind: 'dead', reason: parsed.problem };
  return handleEvent(parsed.event, messageId && EVENT_ID.test(messageId) ? messageId : undefined, writeLog);
}
