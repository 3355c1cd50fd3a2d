import type { Channel } from 'amqplib';
import { LOG_EXCHANGE, LOG_EXCHANGE_TYPE, LOG_ROUTING_KEYS, type LogQueues } from '@go-micro/contracts';

/**
 * Declares the exchange and the three queues. Every declaration is
 * idempotent, so each replica runs this on every (re)connect.
 *
 * How a failed event is retried: the listener copies it into `retry` with a
 * per-message expiration (the backoff delay) and an attempt count in its
 * headers, then acknowledges the original. `retry` has no consumer; its
 * dead-letter settings send each expired message through the default
 * exchange back to `work`, where it is tried again. After MAX_ATTEMPTS the
 * copy goes to `dead` instead. RabbitMQ expires messages only at the head of
 * a queue, so a short delay queued behind a long one waits for it: delays
 * are a lower bound, never shortened, which is all a backoff needs.
 */
export async function declareTopology(channel: Channel, names: LogQueues): Promise<void> {
  await channel.assertExchange(LOG_EXCHANGE, LOG_EXCHANGE_TYPE, { durable: true });
  await channel.assertQueue(names.work, { durable: true });
  for (const key of LOG_ROUTING_KEYS) await channel.bindQueue(names.work, LOG_EXCHANGE, key);
  await channel.assertQueue(names.retry, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: names.work });
  await channel.assertQueue(names.dead, { durable: true });
}
