import { logQueues } from '@go-micro/contracts';
import { createLogger } from '@go-micro/toolkit';
import { ServiceClient } from '@go-micro/toolkit/client';
import { startApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { QueueConsumer, type RetryPolicy } from '@go-micro/toolkit/queue';
import { handleMessage } from '../src/events.js';
import { writeToLoggerService } from '../src/logger-service.js';
import { declareTopology } from '../src/topology.js';

export interface ListenerOptions {
  rabbitUrl: string;
  loggerUrl: string;
  queue?: string;
  retry?: Partial<RetryPolicy>;
  /** Wait until it consumes (the default), or return at once (RabbitMQ unreachable). */
  waitUntilConsuming?: boolean;
}

export interface RunningListener {
  url: string;
  consumer: QueueConsumer;
  close(): Promise<void>;
}

/** A real listener-service in this process, wired as main.ts wires it, with short retry delays. */
export async function startListener(options: ListenerOptions): Promise<RunningListener> {
  const logger = createLogger('listener-service', { level: 'silent', pretty: false });
  const writeLog = writeToLoggerService(new ServiceClient({ name: 'logger-service', baseUrl: options.loggerUrl, timeoutMs: 2_000 }));
  const queues = logQueues(options.queue);
  const consumer = new QueueConsumer({
    name: 'listener',
    url: options.rabbitUrl,
    queues,
    topology: (channel) => declareTopology(channel, queues),
    prefetch: 10,
    retry: { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000, ...options.retry },
    logger,
    handle: (message) => handleMessage(message.content, message.properties.messageId, writeLog),
  });
  consumer.start();
  if (options.waitUntilConsuming ?? true) await consumer.ready();
  const app = await startApp(createApp({ logger, status: () => consumer.status() }));
  return {
    url: app.url,
    consumer,
    close: async () => {
      await app.close();
      await consumer.close();
    },
  };
}
