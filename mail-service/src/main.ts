import pg from 'pg';
import { closeServer, listen, poolConfigFromDsn, runService, shutdownOnSignals, waitFor } from '@go-micro/toolkit';
import { queueNames, QueueConsumer } from '@go-micro/toolkit/queue';
import { createApp } from './app.js';
import { configSchema } from './config.js';
import { Mailer } from './mailer.js';
import { migrateDatabase } from './migrations.js';
import { allowedSenders, senderPolicy } from './senders.js';
import { loadTemplates, loadWelcomeTemplates } from './templates.js';
import { declareWelcomeTopology, welcome } from './welcome.js';
import { WelcomeStore } from './welcome-store.js';

runService('mail-service', configSchema, async ({ config, logger }) => {
  const [render, renderWelcome] = await Promise.all([loadTemplates(), loadWelcomeTemplates()]);
  const mailer = new Mailer(
    {
      host: config.MAIL_HOST,
      port: config.MAIL_PORT,
      encryption: config.MAIL_ENCRYPTION,
      username: config.MAIL_USERNAME,
      password: config.MAIL_PASSWORD,
      domain: config.MAIL_DOMAIN,
      fromAddress: config.FROM_ADDRESS,
      fromName: config.FROM_NAME,
      timeoutMs: config.MAIL_TIMEOUT_MS,
      maxConnections: config.MAIL_MAX_CONNECTIONS,
    },
    render,
    logger,
  );

  const connection = poolConfigFromDsn(config.DSN);
  await waitFor('Postgres', logger, () => migrateDatabase(connection, logger));
  const pool = new pg.Pool({ ...connection, max: 5 });
  pool.on('error', (err) => logger.warn({ reason: err.message }, 'postgres connection lost'));
  const welcomeMails = new WelcomeStore(pool);

  // Welcomes sign-ups from the queue; connects in the background and keeps trying, so POST /send works without RabbitMQ.
  const queues = queueNames(config.WELCOME_QUEUE);
  const consumer = new QueueConsumer({
    name: 'welcome',
    url: config.RABBIT_URL,
    queues,
    prefetch: 5,
    retry: { maxAttempts: config.MAX_ATTEMPTS, baseDelayMs: config.RETRY_DELAY_MS, maxDelayMs: config.RETRY_MAX_DELAY_MS },
    logger,
    topology: (channel) => declareWelcomeTopology(channel, queues),
    handle: (message) => welcome(message.content, { store: welcomeMails, render: renderWelcome, deliver: mailer.deliver, fromName: config.FROM_NAME, logger }),
  });
  consumer.start();

  const senders = allowedSenders(config);
  const app = createApp({
    logger,
    sendMail: mailer.send,
    welcomeMails,
    maySendAs: senderPolicy(senders),
    maxPerMinute: config.MAIL_MAX_PER_MINUTE,
    ready: () => mailer.verify(),
    trustProxy: config.TRUST_PROXY,
  });
  const server = await listen(app, config.PORT, { host: config.BIND_ADDR, maxConnections: config.MAX_CONNECTIONS });
  logger.info({ port: config.PORT, smtp: `${config.MAIL_HOST}:${config.MAIL_PORT}`, queue: queues.work, senders }, 'mail-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    { name: 'welcome consumer', close: () => consumer.close() },
    { name: 'smtp pool', close: () => mailer.close() },
    { name: 'postgres pool', close: () => pool.end() },
  ]);
});
