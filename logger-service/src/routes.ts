import type { Express } from 'express';
import { loggedEntry } from '@go-micro/contracts';
import { jsonBody, reply, validate } from '@go-micro/toolkit';
import type { LogWriter } from './logs-store.js';

export function mountRoutes(app: Express, logs: LogWriter): void {
  app.post('/log', jsonBody(), async (req, res) => {
    await logs.write(validate(loggedEntry, req.body));
    reply(res, 202, 'logged');
  });
}
