import type { Express, Request } from 'express';
import { DEADLINE_HEADER, IDEMPOTENCY_KEY_HEADER, loggedEntry, readDeadlineHeader, readIdempotencyKey, type LoggedEntry } from '@go-micro/contracts';
import { badRequest, jsonBody, reply, validate } from '@go-micro/toolkit';
import type { LogWriter } from './logs-store.js';

/** The body's entry, with the Idempotency-Key header as its event id (the listener sends its event id in the body). */
function entryOf(req: Request): LoggedEntry {
  const entry = validate(loggedEntry, req.body);
  const key = readIdempotencyKey(req.headers[IDEMPOTENCY_KEY_HEADER]);
  if (key === undefined) return entry;
  if (entry.event_id !== undefined && entry.event_id !== key) throw badRequest('event_id and Idempotency-Key differ');
  return { ...entry, event_id: key };
}

export function mountRoutes(app: Express, logs: LogWriter): void {
  app.post('/log', jsonBody(), async (req, res) => {
    await logs.write(entryOf(req), { deadline: readDeadlineHeader(req.headers[DEADLINE_HEADER]) });
    reply(res, 202, 'logged');
  });
}
