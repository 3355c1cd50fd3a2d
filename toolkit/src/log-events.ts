/**
 * The names the broker (publisher) and the listener (consumer) must agree on
 * for log events over RabbitMQ, as the course chose them. Names only, no logic.
 */

/** The exchange every log event goes through: topic, durable. */
export const LOG_EXCHANGE = 'logs_topic';
export const LOG_EXCHANGE_TYPE = 'topic';

/** The key the broker publishes with. */
export const LOG_PUBLISH_KEY = 'log.INFO';

/** The keys the listener consumes. */
export const LOG_ROUTING_KEYS = ['log.INFO', 'log.WARNING', 'log.ERROR'] as const;

/** The body of every log event: JSON `{"name","data"}`. */
export interface LogEvent {
  name: string;
  data: string;
}
