import type { ServiceClient } from '@go-micro/toolkit/client';
import type { AuditLog } from './authenticate.js';

/** Records logins in the logger service's REST endpoint, POST /log, as the course did. */
export const loggerServiceAudit =
  (loggerService: ServiceClient): AuditLog =>
  async (entry) => {
    const { envelope } = await loggerService.post('/log', entry);
    if (envelope.error) throw new Error(`${loggerService.name} refused the entry: ${envelope.message}`);
  };
