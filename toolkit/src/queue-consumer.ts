import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from './logger.js';
import { acceptRequestId, REQUEST_ID_HEADER, runWithRequestId } from './request-context.js';
import { extractTraceContext, failSpan, SpanKind, withSpan } from './tracing.js';
import { QUEUE_OUTCOMES, queueMessages, watchQueueDepth, type QueueOutcome } from './metrics.js';
import { ATTEMPTS_HEADER, FAILURE_HEADER, failedAttempts, nextStep, type RetryPolicy } from './retry-policy.js';

/** What became of one message: done, worth another try later, or never going to work. */
export type Outcome = { kind: 'done' } | { kind: 'retry'; reason: string } | { kind: 'dead'; reason: string };

/** A consumer's three queues. */
export interface QueueNames {
  /** Durable and named, so messages published while no consumer runs wait in it; replicas compete for its messages. */
  work: string;
  /** Holds failed messages until their delay ends, then hands them back to `work` (see declareRetryQueues). */
  retry: string;
  /** Where messages end that can never be handled, or that failed every try; a person looks at them. */
  dead: string;
}

export interface ConsumerOptions {
  url: string;
  queues: QueueNames;
  prefetch: number;
  retry: RetryPolicy;
  logger: Logger;
  /** Declares the exchange, the queues and their bindings; runs on every (re)connect, so it must be idempotent. */
  topology: (channel: ConfirmChannel) => Promise<void>;
  /** Works on one message and says what became of it; it may be called again for the same message. */
  handle: (message: ConsumeMessage) => Promise<Outcome>;
  /** The channel's name in amqp-connection-manager's logs. */
  name?: string;
}

export interface ConsumerStatus {
  connected: boolean;
  consuming: boolean;
  queue: string;
  /** Messages being worked on now. */
  inFlight: number;
  /** Messages settled (handled, retried or dead-lettered) by this replica since it started. */
  settled: number;
  /** Deliveries RabbitMQ marked as redelivered (their first delivery was cut off before its ack). */
  redelivered: number;
}

/**
 * Consumes a work queue with manual acknowledgement: a message is acked only
 * once `handle` has done its work, or once a copy of it is safely (publisher
 * confirm) in the retry or dead-letter queue. A message whose channel dies
 * first is never acked, so RabbitMQ delivers it again; the handler must make
 * that second delivery harmless (the logger's unique event id, the mail
 * service's table of welcomed events). amqp-connection-manager reconnects
 * after RabbitMQ restarts and runs the set-up again.
 */
export class QueueConsumer {
  private connection?: AmqpConnectionManager;
  private wrapper?: ChannelWrapper;
  /** The channel we consume on, with its consumer tag; undefined while not consuming. */
  private current?: { channel: ConfirmChannel; consumerTag: string };
  private inFlight = 0;
  private settled = 0;
  private redelivered = 0;
  private closing = false;
  private unwatchDepth?: () => void;

  constructor(private readonly options: ConsumerOptions) {}

  start(): void {
    const { logger } = this.options;
    this.connection = amqp.connect([this.options.url], { reconnectTimeInSeconds: 1, heartbeatIntervalInSeconds: 5 });
    this.connection.on('connect', () => logger.info('connected to RabbitMQ'));
    this.connection.on('connectFailed', ({ err }) => logger.warn({ reason: err.message }, 'waiting for RabbitMQ'));
    this.connection.on('disconnect', ({ err }) => {
      if (!this.closing) logger.warn({ reason: err?.message }, 'RabbitMQ connection lost; reconnecting');
    });
    this.wrapper = this.connection.createChannel({ name: this.options.name ?? this.options.queues.work, confirm: true, setup: (channel: ConfirmChannel) => this.setup(channel) });
    this.wrapper.on('error', (err: Error) => logger.error({ reason: err.message }, 'RabbitMQ set-up failed'));
    // Every outcome is a series from the start, so a rate() or an alert on dead_lettered sees 0 before the first one.
    for (const outcome of QUEUE_OUTCOMES) queueMessages().inc({ queue: this.options.queues.work, outcome }, 0);
    // queue_depth on GET /metrics: what waits in the work, retry and dead-letter queues, asked of RabbitMQ at each scrape.
    const { work, retry, dead } = this.options.queues;
    const unwatch = [work, retry, dead].map((queue) =>
      watchQueueDepth(queue, async () => {
        const channel = this.current?.channel;
        return channel ? (await channel.checkQueue(queue)).messageCount : undefined;
      }),
    );
    this.unwatchDepth = () => unwatch.forEach((stop) => stop());
  }

  /** Resolves once the queues are declared and the consumer is registered. */
  async ready(): Promise<void> {
    await this.wrapper?.waitForConnect();
  }

  status(): ConsumerStatus {
    return {
      connected: this.connection?.isConnected() ?? false,
      consuming: this.current !== undefined,
      queue: this.options.queues.work,
      inFlight: this.inFlight,
      settled: this.settled,
      redelivered: this.redelivered,
    };
  }

  /** Stops taking messages, lets those in hand finish (for up to 5 s), then closes the connection. */
  async close(): Promise<void> {
    this.closing = true;
    this.unwatchDepth?.();
    const current = this.current;
    this.current = undefined;
    await current?.channel.cancel(current.consumerTag).catch(() => undefined);
    for (const deadline = Date.now() + 5_000; this.inFlight > 0 && Date.now() < deadline; ) await sleep(20);
    await this.wrapper?.close();
    await this.connection?.close();
  }

  private async setup(channel: ConfirmChannel): Promise<void> {
    const { queues, prefetch } = this.options;
    await this.options.topology(channel);
    await channel.prefetch(prefetch);
    channel.once('close', () => this.lost(channel, 'channel closed'));
    const { consumerTag } = await channel.consume(queues.work, (message) => {
      if (message === null) this.lost(channel, 'consumer cancelled by RabbitMQ');
      else void this.process(channel, message);
    });
    this.current = { channel, consumerTag };
  }

  /**
   * Our channel is gone or no longer consuming. If the whole connection went,
   * amqp-connection-manager reconnects by itself; if only the channel did, it
   * would not, so after a moment we force a reconnect, which runs set-up again.
   */
  private lost(channel: ConfirmChannel, reason: string): void {
    if (this.current?.channel !== channel) return;
    this.current = undefined;
    if (this.closing) return;
    this.options.logger.warn({ reason }, 'stopped consuming');
    setTimeout(() => {
      if (!this.closing && this.current === undefined && this.connection?.isConnected()) this.connection.reconnect();
    }, 1_000).unref();
  }

  private async process(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    const { properties } = message;
    const requestId = acceptRequestId(properties.headers?.[REQUEST_ID_HEADER] ?? properties.correlationId);
    this.inFlight++;
    if (message.fields.redelivered) this.redelivered++;
    // The consumer span is the child of the publisher's, whose traceparent came in the message headers.
    const traced = {
      kind: SpanKind.CONSUMER,
      parent: extractTraceContext(properties.headers),
      attributes: { 'messaging.system': 'rabbitmq', 'messaging.operation.type': 'process', 'messaging.destination.name': this.options.queues.work, 'messaging.message.id': properties.messageId as string | undefined },
    };
    await runWithRequestId(requestId, () => withSpan(`process ${this.options.queues.work}`, traced, async (span) => {
      let outcome: Outcome;
      try {
        outcome = await this.options.handle(message);
      } catch (err) {
        outcome = { kind: 'retry', reason: err instanceof Error ? err.message : String(err) };
      }
      span.setAttribute('messaging.outcome', outcome.kind);
      if (outcome.kind !== 'done') failSpan(span, new Error(outcome.reason));
      try {
        const settledAs = await this.settle(channel, message, outcome);
        this.settled++;
        // One line per message at info, under its request id and trace id: a grep of either finds this hop.
        this.options.logger.info({ queue: this.options.queues.work, messageId: properties.messageId, outcome: settledAs }, 'message settled');
        queueMessages().inc({ queue: this.options.queues.work, outcome: settledAs });
      } catch (err) {
        // Not acked: RabbitMQ delivers it again once we are back, and the handler does its work only once.
        this.options.logger.warn({ reason: (err as Error).message, messageId: properties.messageId }, 'could not settle a message; it will come again');
      }
    }));
    this.inFlight--;
  }

  /** Acks the message once its outcome is safe; says how it was settled, for queue_messages_total. */
  private async settle(channel: ConfirmChannel, message: ConsumeMessage, outcome: Outcome): Promise<QueueOutcome> {
    const { queues, retry, logger } = this.options;
    const messageId = message.properties.messageId;
    let settledAs: QueueOutcome = 'handled';
    if (outcome.kind === 'retry') {
      const failed = failedAttempts(message.properties.headers) + 1;
      const step = nextStep(retry, failed);
      if ('retryInMs' in step) {
        await copyTo(channel, queues.retry, message, { [ATTEMPTS_HEADER]: failed, [FAILURE_HEADER]: outcome.reason }, step.retryInMs);
        logger.warn({ messageId, attempt: failed, retryInMs: step.retryInMs, reason: outcome.reason }, 'message not handled; will try again');
        settledAs = 'retried';
      } else {
        const reason = `gave up after ${failed} tries: ${outcome.reason}`;
        await copyTo(channel, queues.dead, message, { [ATTEMPTS_HEADER]: failed, [FAILURE_HEADER]: reason });
        logger.error({ messageId, queue: queues.dead, reason }, 'message moved to the dead-letter queue');
        settledAs = 'dead_lettered';
      }
    } else if (outcome.kind === 'dead') {
      await copyTo(channel, queues.dead, message, { [FAILURE_HEADER]: outcome.reason });
      logger.error({ messageId, queue: queues.dead, reason: outcome.reason }, 'message moved to the dead-letter queue');
      settledAs = 'dead_lettered';
    }
    channel.ack(message);
    return settledAs;
  }

}

/** RabbitMQ's own dead-letter bookkeeping; it adds fresh ones itself. */
const isDeathHeader = (key: string) => /^x-(death|first-death|last-death)/.test(key);

/** Puts a copy of `message` in `queue` and resolves once RabbitMQ has confirmed it is stored. */
function copyTo(channel: ConfirmChannel, queue: string, message: ConsumeMessage, headers: Record<string, unknown>, expirationMs?: number): Promise<void> {
  const { properties } = message;
  const kept = Object.entries(properties.headers ?? {}).filter(([key]) => !isDeathHeader(key));
  const options: Options.Publish = {
    persistent: true,
    headers: { ...Object.fromEntries(kept), ...headers },
    contentType: properties.contentType,
    messageId: properties.messageId,
    correlationId: properties.correlationId,
    timestamp: properties.timestamp,
    ...(expirationMs !== undefined ? { expiration: String(expirationMs) } : {}),
  };
  return new Promise((resolve, reject) => {
    try {
      channel.sendToQueue(queue, message.content, options, (err: unknown) => (err ? reject(err as Error) : resolve()));
    } catch (err) {
      reject(err as Error);
    }
  });
}

/**
 * Declares `retry` and `dead` for `work`. How a failed message is retried: the
 * consumer copies it into `retry` with a per-message expiration (the backoff
 * delay) and an attempt count in its headers, then acknowledges the original.
 * `retry` has no consumer; its dead-letter settings send each expired message
 * through the default exchange back to `work`, where it is tried again. After
 * the last attempt the copy goes to `dead` instead. RabbitMQ expires messages
 * only at the head of a queue, so a short delay queued behind a long one waits
 * for it: delays are a lower bound, never shortened, which is all a backoff needs.
 */
export async function declareRetryQueues(channel: Channel, names: QueueNames): Promise<void> {
  await channel.assertQueue(names.retry, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: names.work });
  await channel.assertQueue(names.dead, { durable: true });
}

/** `work`, with `work.retry` and `work.dead` beside it. */
export const queueNames = (work: string): QueueNames => ({ work, retry: `${work}.retry`, dead: `${work}.dead` });
