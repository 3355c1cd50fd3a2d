import type { Channel } from 'amqplib';
import { LOG_EXCHANGE, LOG_EXCHANGE_TYPE, LOG_ROUTING_KEYS, type LogQueues } from '@go-micro/contracts';
import { declareRetryQueues } from '@go-micro/toolkit/queue';

/**
 * Declares the exchange, the work queue bound to the log keys, and its retry
 * and dead-letter queues (declareRetryQueues says how a retry comes back).
 * Every declaration is idempotent, so each replica runs this on every (re)connect.
 */
export async function declareTopology(channel: Channel, names: LogQueues): Promise<void> {
  await channel.assertExchange(LOG_EXCHANGE, LOG_EXCHANGE_TYPE, { durable: true });
  await channel.assertQueue(names.work, { durable: true });
  for (const key of LOG_ROUTING_KEYS) await channel.bindQueue(names.work, LOG_EXCHANGE, key);
  await declareRetryQueues(channel, names);
}
