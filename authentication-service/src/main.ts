import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { closeServer, listen, poolConfigFromDsn, runService, shutdownOnSignals, waitFor } from '@go-micro/toolkit';
import { ServiceClient } from '@go-micro/toolkit/client';
import { Registration } from './accounts/registration.js';
import { adminPassword, replaceDefaultAdminPassword, seedAdmin } from './accounts/seeded-admin.js';
import { SignUpLimits } from './accounts/signup-limits.js';
import { Tokens } from './accounts/tokens.js';
import { UsersStore } from './accounts/users-store.js';
import { createApp } from './app.js';
import { configSchema } from './config.js';
import { loggerServiceAudit } from './login/audit-log.js';
import { Authenticator } from './login/authenticate.js';
import { LoginLimits } from './login/login-limits.js';
import { watchOutboxBacklog } from './metrics.js';
import { OutboxPublisher } from './outbox/outbox-publisher.js';
import { PasswordWork } from './passwords/password-work.js';
import { migrateDatabase } from './postgres/migrations.js';
import { tracePostgres } from './postgres/postgres-tracing.js';

runService('authentication-service', configSchema, async ({ config, logger }) => {
  // Before anything connects: in production a known admin password stops the start, saying why.
  const admin = adminPassword(config);
  // Queries are bounded under the broker's 5 s, so a stuck database is a 504 naming it, not the broker's timeout.
  const connection = { connectionTimeoutMillis: 3_000, ...poolConfigFromDsn(config.DSN) };
  const pool = new pg.Pool({ ...connection, max: 10, query_timeout: 3_000 });
  // An idle client whose server went away must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ reason: err.message }, 'postgres connection lost'));
  tracePostgres(pool);
  const users = new UsersStore(pool);
  const limits = new LoginLimits(pool, {
    perAddressPerMinute: config.LOGIN_PER_MINUTE,
    failuresPerEmailAndAddress: config.LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS,
    slowAfterFailures: config.LOGIN_SLOW_AFTER_FAILURES,
    slowLaneSeconds: config.LOGIN_SLOW_LANE_SECONDS,
    knownAddressDays: config.LOGIN_KNOWN_ADDRESS_DAYS,
  });
  const signUpLimits = new SignUpLimits(pool, { perAddress: config.SIGNUP_PER_ADDRESS, perMinute: config.SIGNUP_PER_MINUTE });
  // The migrations run on a connection of their own, without the pool's query timeout: replicas wait there for each other.
  const seeded = await waitFor('Postgres', logger, async () => {
    await migrateDatabase(connection, logger);
    return seedAdmin(users, admin);
  });
  if (seeded) logger.info('created the admin@example.com user');
  if (config.DEPLOY_ENV === 'production' && (await replaceDefaultAdminPassword(users, admin))) {
    logger.warn("the admin still had the course's password; it now has ADMIN_PASSWORD's");
  }

  const audit = loggerServiceAudit(new ServiceClient({ name: 'logger-service', baseUrl: config.LOGGER_SERVICE_URL, timeoutMs: 2_000 }));

  // Connects to RabbitMQ in the background: sign-ups are stored and answered while it is away, and sent when it is back.
  const publisher = new OutboxPublisher({ pool, rabbitUrl: config.RABBIT_URL, logger, pollMs: config.OUTBOX_POLL_MS });
  publisher.start();
  watchOutboxBacklog(pool);

  if (!config.TOKEN_SECRET) logger.warn('TOKEN_SECRET is not set: tokens are signed with a random secret and end with this process');
  const tokens = new Tokens(config.TOKEN_SECRET ?? randomBytes(32).toString('base64url'), config.TOKEN_TTL_SECONDS);

  // One admission for every bcrypt hash the requests ask for, in lanes: the owner's logins, other logins, then sign-ups and password resets.
  const passwords = new PasswordWork({
    concurrency: config.BCRYPT_CONCURRENCY,
    maxWaiting: config.BCRYPT_MAX_WAITING,
    maxWaitMs: config.BCRYPT_MAX_WAIT_MS,
    refusalPauseMs: config.BCRYPT_REFUSAL_PAUSE_MS,
    signUpConcurrency: config.BCRYPT_SIGNUP_CONCURRENCY,
    signUpMaxWaiting: config.BCRYPT_SIGNUP_MAX_WAITING,
    signUpMaxWaitMs: config.BCRYPT_SIGNUP_MAX_WAIT_MS,
  });
  const authenticator = new Authenticator(users, audit, logger, limits, passwords);
  const app = createApp({
    logger,
    authenticator,
    accounts: {
      registration: new Registration(pool, () => publisher.kick(), passwords, signUpLimits),
      tokens,
      users,
      passwords,
    },
    ready: () => users.ping(),
    trustProxy: config.TRUST_PROXY,
  });
  const server = await listen(app, config.PORT, { host: config.BIND_ADDR, maxConnections: config.MAX_CONNECTIONS });
  logger.info({ port: config.PORT }, 'authentication-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    { name: 'outbox publisher', close: () => publisher.close() },
    { name: 'postgres pool', close: () => pool.end() },
  ]);
});
