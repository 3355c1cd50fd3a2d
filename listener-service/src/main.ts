import { logQueues } from '@go-micro/contracts';
import { closeServer, listen, runService, shutdownOnSignals } from '@go-micro/toolkit';
import { ServiceClient } from '@go-micro/toolkit/client';
import { createApp } from './app.js';
import { configSchema } from './config.js';
import { QueueConsumer } from '@go-micro/toolkit/queue';
import { handleMessage } from './events.js';
import { writeToLoggerService } from './logger-service.js';
import { declareTopology } from './topology.js';

runService('listener-service', configSchema, async ({ config, logger }) => {
  const loggerService = new ServiceClient({ name: 'logger-service', baseUrl: config.LOGGER_SERVICE_URL, timeoutMs: config.LOGGER_TIMEOUT_MS });
  const writeLog = writeToLoggerService(loggerService);
  const queues = logQueues(config.LISTENER_QUEUE);
  const consumer = new QueueConsumer({
    name: 'listener',
    url: config.RABBIT_URL,
    queues,
    topology: (channel) => declareTopology(channel, queues),
    prefetch: config.PREFETCH,
    retry: { maxAttempts: config.MAX_ATTEMPTS, baseDelayMs: config.RETRY_DELAY_MS, maxDelayMs: config.RETRY_MAX_DELAY_MS },
    logger,
    handle: (message) => handleMessage(message.content, message.properties.messageId, writeLog, config.MAX_MESSAGE_BYTES),
  });
  // Connects in the background and keeps trying; /health says 503 until it consumes.
  consumer.start();

  const server = await listen(createApp({ logger, status: () => consumer.status(), trustProxy: config.TRUST_PROXY }), config.PORT, { host: config.BIND_ADDR, maxConnections: config.MAX_CONNECTIONS });
  logger.info({ port: config.PORT, queue: config.LISTENER_QUEUE }, 'listener-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    { name: 'RabbitMQ consumer', close: () => consumer.close() },
  ]);
});
