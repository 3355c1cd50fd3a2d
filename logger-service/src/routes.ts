import type { Express } from 'express';
import { jsonBody, reply, validate } from '@go-micro/toolkit';
import { logEntryInput, type LogWriter } from './log-entry.js';

export function mountRoutes(app: Express, logs: LogWriter): void {
  app.post('/log', jsonBody(), async (req, res) => {
    await logs.write(validate(logEntryInput, req.body));
    reply(res, 202, 'logged');
  });
}
