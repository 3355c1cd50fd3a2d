import { HttpError } from '@go-micro/toolkit';
import type { ServiceClient } from '@go-micro/toolkit/client';
import type { WriteLog } from './events.js';

/**
 * Posts an event to the logger's REST endpoint. A logger that is down, slow
 * or failing (503, 504, 502) is worth retrying; a 4xx means the entry itself
 * is refused, and trying again cannot help.
 */
export const writeToLoggerService =
  (loggerService: ServiceClient): WriteLog =>
  async (entry) => {
    try {
      const { status, envelope } = await loggerService.post('/log', entry);
      if (!envelope.error) return { kind: 'done' };
      return { kind: status >= 500 ? 'retry' : 'dead', reason: `${loggerService.name} answered ${status}: ${envelope.message}` };
    } catch (err) {
      if (err instanceof HttpError) return { kind: 'retry', reason: err.message };
      throw err;
    }
  };
