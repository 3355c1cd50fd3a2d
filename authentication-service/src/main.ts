import pg from 'pg';
import { closeServer, listen, runService, ServiceClient, shutdownOnSignals, waitFor } from '@go-micro/toolkit';
import { adminPassword } from './admin-password.js';
import { createApp } from './app.js';
import { loggerServiceAudit } from './audit-log.js';
import { Authenticator } from './authenticate.js';
import { configSchema } from './config.js';
import { poolConfigFromDsn } from './dsn.js';
import { LoginLimits } from './login-limits.js';
import { UsersStore } from './users-store.js';

runService('authentication-service', configSchema, async ({ config, logger }) => {
  // Before anything connects: in production a known admin password stops the start, saying why.
  const admin = adminPassword(config);
  // Queries are bounded under the broker's 5 s, so a stuck database is a 504 naming it, not the broker's timeout.
  const pool = new pg.Pool({ connectionTimeoutMillis: 3_000, ...poolConfigFromDsn(config.DSN), max: 10, query_timeout: 3_000 });
  // An idle client whose server went away must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ reason: err.message }, 'postgres connection lost'));
  const users = new UsersStore(pool);
  const limits = new LoginLimits(pool, { perAddressPerMinute: config.LOGIN_PER_MINUTE, failuresPerEmail: config.LOGIN_FAILURES_PER_EMAIL });
  const { seeded } = await waitFor('Postgres', logger, async () => {
    await limits.migrate();
    return users.migrate(admin);
  });
  if (seeded) logger.info('created the admin@example.com user');
  if (config.DEPLOY_ENV === 'production' && (await users.replaceDefaultAdminPassword(admin))) {
    logger.warn("the admin still had the course's password; it now has ADMIN_PASSWORD's");
  }

  const audit = loggerServiceAudit(new ServiceClient({ name: 'logger-service', baseUrl: config.LOGGER_SERVICE_URL, timeoutMs: 2_000 }));

  const app = createApp({ logger, authenticator: new Authenticator(users, audit, logger, limits), ready: () => users.ping() });
  const server = await listen(app, config.PORT, { host: config.BIND_ADDR, maxConnections: config.MAX_CONNECTIONS });
  logger.info({ port: config.PORT }, 'authentication-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    { name: 'postgres pool', close: () => pool.end() },
  ]);
});
