import { closeServer, createLogger, listen, runMain, ServiceClient, shutdownOnSignals } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { readConfig } from './config.js';
import { EventConsumer } from './consumer.js';
import { handleMessage } from './events.js';
import { loggerWriteLog } from './logger-client.js';
import { queueNames } from './topology.js';

const logger = createLogger('listener-service');

runMain(logger, async () => {
  const config = readConfig();
  logger.level = config.LOG_LEVEL;

  const loggerService = new ServiceClient({ name: 'logger-service', baseUrl: config.LOGGER_SERVICE_URL, timeoutMs: config.LOGGER_TIMEOUT_MS });
  const writeLog = loggerWriteLog(loggerService);
  const consumer = new EventConsumer({
    url: config.RABBIT_URL,
    queues: queueNames(config.LISTENER_QUEUE),
    prefetch: config.PREFETCH,
    retry: { maxAttempts: config.MAX_ATTEMPTS, baseDelayMs: config.RETRY_DELAY_MS, maxDelayMs: config.RETRY_MAX_DELAY_MS },
    logger,
    handle: (message) => handleMessage(message.content, message.properties.messageId, writeLog),
  });
  // Connects in the background and keeps trying; /health says 503 until it consumes.
  consumer.start();

  const server = await listen(createApp({ logger, status: () => consumer.status() }), config.PORT);
  logger.info({ port: config.PORT, queue: config.LISTENER_QUEUE }, 'listener-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    { name: 'RabbitMQ consumer', close: () => consumer.close() },
  ]);
});
