import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { LOG_EXCHANGE, LOG_EXCHANGE_TYPE, LOG_PUBLISH_KEY, type LogEntry } from '@go-micro/contracts';
import { currentRequestId, injectTraceContext, REQUEST_ID_HEADER, HttpError, serviceUnavailable, SpanKind, withSpan, type Logger } from '@go-micro/toolkit';
import type { LogOptions, LogTransport } from './log-transport.js';

const RETRY_PAUSE_MS = 100;

/**
 * Publishes log events to the logs_topic exchange on one long-lived confirm
 * channel; amqp-connection-manager reconnects after RabbitMQ restarts. A
 * publish resolves only once RabbitMQ has confirmed the message; one caught
 * by a lost connection is published again, until the timeout.
 *
 * A message is handed to the library only while its channel is up, so none
 * waits in its buffer to go out after the caller was answered (the library's
 * `timeout` also takes a message out of its buffers when it expires). No
 * channel within the timeout answers 503: nothing was sent. A message sent but
 * not confirmed in time answers 504, saying it may still be delivered.
 *
 * Each event carries a messageId, the client's Idempotency-Key or a new UUID:
 * the logger stores an event id once, so a message sent twice (re-sent after a
 * cut, or retried with the same key) is stored once.
 */
export class RabbitLog implements LogTransport {
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;
  private closed = false;
  // Message ids RabbitMQ handed back because no queue was bound: it returns them before it confirms them.
  private readonly unroutable = new Set<string>();
  // One wait for the channel shared by every publish while it is down (each wait is a listener on it).
  private channelWait?: Promise<void> | undefined;

  constructor(private readonly options: { url: string; timeoutMs: number; logger: Logger }) {
    const { logger } = options;
    this.connection = amqp.connect([options.url], { reconnectTimeInSeconds: 1, heartbeatIntervalInSeconds: 5 });
    this.connection.on('connect', () => logger.info('connected to RabbitMQ'));
    this.connection.on('connectFailed', ({ err }) => logger.warn({ reason: err.message }, 'cannot reach RabbitMQ; retrying'));
    this.connection.on('disconnect', ({ err }) => logger.warn({ reason: err?.message }, 'RabbitMQ connection lost; reconnecting'));
    this.channel = this.connection.createChannel({
      name: 'log events',
      confirm: true,
      setup: async (channel: ConfirmChannel) => {
        channel.on('return', (message: { properties: { messageId?: string } }) => {
          if (message.properties.messageId) this.unroutable.add(message.properties.messageId);
        });
        await channel.assertExchange(LOG_EXCHANGE, LOG_EXCHANGE_TYPE, { durable: true });
      },
    });
    this.channel.on('error', (err: Error) => logger.error({ reason: err.message }, 'RabbitMQ set-up failed'));
  }

  log(entry: LogEntry, options: LogOptions = {}): Promise<string> {
    const attributes = { 'messaging.system': 'rabbitmq', 'messaging.operation.type': 'publish', 'messaging.destination.name': LOG_EXCHANGE, 'messaging.rabbitmq.destination.routing_key': LOG_PUBLISH_KEY };
    return withSpan(`publish ${LOG_EXCHANGE}`, { kind: SpanKind.PRODUCER, attributes }, () => this.publish(entry, options.idempotencyKey));
  }

  private async publish(entry: LogEntry, idempotencyKey: string | undefined): Promise<string> {
    const requestId = currentRequestId();
    // The producer span's traceparent travels in the message headers, beside the request id.
    const headers = injectTraceContext<Record<string, unknown>>(requestId ? { [REQUEST_ID_HEADER]: requestId } : {});
    const content = Buffer.from(JSON.stringify({ name: entry.name, data: entry.data }));
    const options = {
      persistent: true,
      // Unroutable (no listener has declared its queue yet) comes back as an error instead of being dropped.
      mandatory: true,
      contentType: 'application/json',
      messageId: idempotencyKey ?? randomUUID(),
      timestamp: Math.floor(Date.now() / 1000),
      ...(requestId ? { correlationId: requestId } : {}),
      ...(Object.keys(headers).length ? { headers } : {}),
    };
    const deadline = Date.now() + this.options.timeoutMs;
    // amqp-connection-manager 5 means to re-send what a lost connection left unconfirmed, but amqplib >= 1.0.5
    // now fails those publishes with "channel closed" before the manager notices the loss, so it passes the
    // error on instead. Publishing again, with the same messageId, until the deadline restores the intent.
    for (let attempt = 1; ; attempt++) {
      if (!(await this.channelUpBefore(deadline))) {
        throw attempt === 1 ? serviceUnavailable('RabbitMQ') : mayStillBeDelivered();
      }
      try {
        await this.channel.publish(LOG_EXCHANGE, LOG_PUBLISH_KEY, content, { ...options, timeout: Math.max(1, deadline - Date.now()) });
        break;
      } catch (err) {
        // Handed to a channel, the message may have reached RabbitMQ whatever the error says.
        if (this.closed || Date.now() + RETRY_PAUSE_MS >= deadline) throw mayStillBeDelivered(err);
        this.options.logger.warn({ messageId: options.messageId, attempt, reason: (err as Error).message }, 'publish not confirmed; publishing again');
        await sleep(RETRY_PAUSE_MS);
      }
    }
    if (this.unroutable.delete(options.messageId)) {
      throw new HttpError(503, 'RabbitMQ has no queue bound to logs_topic for log.INFO yet: is listener-service running?');
    }
    this.options.logger.debug({ messageId: options.messageId }, 'published a log event');
    return 'logged via RabbitMQ';
  }

  /** Whether the channel is up, or comes up, before the deadline. */
  private async channelUpBefore(deadline: number): Promise<boolean> {
    this.channelWait ??= this.channel.waitForConnect().finally(() => (this.channelWait = undefined));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), false)));
    try {
      return await Promise.race([this.channelWait.then(() => !this.closed), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves while the connection to RabbitMQ is up; throws 503 naming it otherwise (the broker's readiness). */
  async ready(): Promise<void> {
    if (!this.connection.isConnected()) throw serviceUnavailable('RabbitMQ');
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.channel.close();
    await this.connection.close();
  }
}

/** The answer when a message was sent but not confirmed in time: the caller must not take it as lost. */
const mayStillBeDelivered = (cause?: unknown) =>
  new HttpError(504, 'RabbitMQ did not confirm the event in time; it may still be delivered', { cause });
