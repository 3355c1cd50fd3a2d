import pg from 'pg';
import { closeServer, listen, runService, ServiceClient, shutdownOnSignals, waitFor } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { loggerServiceAudit } from './audit-log.js';
import { Authenticator } from './authenticate.js';
import { configSchema } from './config.js';
import { poolConfigFromDsn } from './dsn.js';
import { UsersStore } from './users-store.js';

runService('authentication-service', configSchema, async ({ config, logger }) => {
  const pool = new pg.Pool({ ...poolConfigFromDsn(config.DSN), max: 10 });
  // An idle client whose server went away must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ reason: err.message }, 'postgres connection lost'));
  const users = new UsersStore(pool);
  const { seeded } = await waitFor('Postgres', logger, () => users.migrate());
  if (seeded) logger.info('created the admin@example.com user');

  const audit = loggerServiceAudit(new ServiceClient({ name: 'logger-service', baseUrl: config.LOGGER_SERVICE_URL, timeoutMs: 2_000 }));

  const app = createApp({ logger, authenticator: new Authenticator(users, audit, logger) });
  const server = await listen(app, config.PORT);
  logger.info({ port: config.PORT }, 'authentication-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    { name: 'postgres pool', close: () => pool.end() },
  ]);
});
