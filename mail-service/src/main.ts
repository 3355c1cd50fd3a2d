import { closeServer, listen, runService, shutdownOnSignals } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { configSchema } from './config.js';
import { Mailer } from './mailer.js';
import { allowedSenders, senderPolicy } from './senders.js';
import { loadTemplates } from './templates.js';

runService('mail-service', configSchema, async ({ config, logger }) => {
  const render = await loadTemplates();
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
    },
    render,
    logger,
  );

  const senders = allowedSenders(config);
  const app = createApp({
    logger,
    sendMail: mailer.send,
    maySendAs: senderPolicy(senders),
    maxPerMinute: config.MAIL_MAX_PER_MINUTE,
    ready: () => mailer.verify(),
  });
  const server = await listen(app, config.PORT, { host: config.BIND_ADDR, maxConnections: config.MAX_CONNECTIONS });
  logger.info({ port: config.PORT, smtp: `${config.MAIL_HOST}:${config.MAIL_PORT}`, senders }, 'mail-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    { name: 'smtp pool', close: () => mailer.close() },
  ]);
});
