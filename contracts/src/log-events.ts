/**
 * The names the broker (publisher) and the listener (consumer) agree on for
 * log events over RabbitMQ, as the course chose them. The body of an event is
 * a log entry as JSON, `{"name","data"}` (log-entry.ts); its AMQP messageId
 * is the event id.
 */

/** The exchange every log event goes through: topic, durable. */
export const LOG_EXCHANGE = 'logs_topic';
export const LOG_EXCHANGE_TYPE = 'topic';

/** The key the broker publishes with. */
export const LOG_PUBLISH_KEY = 'log.INFO';

/** The keys the listener consumes. */
export const LOG_ROUTING_KEYS = ['log.INFO', 'log.WARNING', 'log.ERROR'] as const;

/** The listener's durable queue, by default; every replica consumes it. */
export const LOG_QUEUE = 'logs_listener';

export interface LogQueues {
  /** Durable and named, so events published while no listener runs wait in it; replicas compete for its messages. */
  work: string;
  /** Holds failed events until their delay ends, then hands them back to `work`. */
  retry: string;
  /** Where events end that can never be stored, or that failed every try; a person looks at them. */
  dead: string;
}

export const logQueues = (work: string = LOG_QUEUE): LogQueues => ({ work, retry: `${work}.retry`, dead: `${work}.dead` });
