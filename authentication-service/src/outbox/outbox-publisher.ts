import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import type { Pool } from 'pg';
import { USER_EXCHANGE, USER_EXCHANGE_TYPE } from '@go-micro/contracts';
import { REQUEST_ID_HEADER, withoutTracing, type Logger } from '@go-micro/toolkit';
import { publishInRequestContext } from './outbox-context.js';
import { sendUnsent, type OutboxRow } from './outbox-store.js';

export interface OutboxPublisherOptions {
  pool: Pool;
  rabbitUrl: string;
  logger: Logger;
  /** How often to look for unsent events when nothing says there is one. */
  pollMs: number;
  /** How long one publish may wait for RabbitMQ's confirm. */
  confirmTimeoutMs?: number;
  batchSize?: number;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Sends the outbox's events to the users_topic exchange and marks them sent.
 * A publish counts only once RabbitMQ confirms it (a confirm channel), and an
 * event is marked sent only after that, so a crash at any point leaves it
 * unsent, to go out after the restart. A crash between the confirm and the
 * mark sends it a second time: the consumer knows each event by its id (the
 * AMQP messageId, the outbox row's id) and does its work once. An event no
 * queue takes yet is not sent either: it waits, and goes once one is bound.
 */
export class OutboxPublisher {
  private connection?: AmqpConnectionManager;
  private channel?: ChannelWrapper;
  private stopped = false;
  private wake?: () => void;
  private pending = false;
  private loop?: Promise<void>;
  private failures = 0;
  /** Events RabbitMQ handed back because no queue was bound to take them (published as mandatory). */
  private readonly unroutable = new Set<string>();

  constructor(private readonly options: OutboxPublisherOptions) {}

  start(): void {
    const { logger, rabbitUrl } = this.options;
    this.connection = amqp.connect([rabbitUrl], { reconnectTimeInSeconds: 1, heartbeatIntervalInSeconds: 5 });
    this.connection.on('connect', () => {
      logger.info('outbox publisher connected to RabbitMQ');
      this.kick();
    });
    this.connection.on('connectFailed', ({ err }) => logger.warn({ reason: err.message }, 'outbox publisher waiting for RabbitMQ'));
    this.connection.on('disconnect', ({ err }) => {
      if (!this.stopped) logger.warn({ reason: err?.message }, 'outbox publisher lost RabbitMQ; reconnecting');
    });
    this.channel = this.connection.createChannel({
      name: 'outbox',
      confirm: true,
      setup: async (channel: ConfirmChannel) => {
        // RabbitMQ sends a mandatory message's return before its confirm, so publish() sees it here first.
        channel.on('return', (message: { properties: { messageId?: string } }) => {
          if (message.properties.messageId) this.unroutable.add(message.properties.messageId);
        });
        await channel.assertExchange(USER_EXCHANGE, USER_EXCHANGE_TYPE, { durable: true });
      },
    });
    // Polling is no request's work: its queries make no spans (no root trace a tick); each publish is a child of its sign-up's trace.
    this.loop = withoutTracing(() => this.run());
  }

  /** Something was just added to the outbox: look now instead of at the next poll. */
  kick(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Finishes the round in progress (its rows are sent and marked, or left unsent), then closes the connection. */
  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.channel?.close();
    await this.connection?.close();
  }

  private async run(): Promise<void> {
    const { logger, pool, pollMs, batchSize = 50 } = this.options;
    while (!this.stopped) {
      this.pending = false;
      let more = false;
      if (this.connection?.isConnected()) {
        try {
          const { sent, taken } = await sendUnsent(pool, batchSize, (row) => this.publish(row));
          if (sent > 0) logger.info({ sent }, 'outbox events published');
          this.failures = 0;
          more = taken === batchSize;
        } catch (err) {
          this.failures++;
          logger.warn({ reason: (err as Error).message, failures: this.failures }, 'outbox events not published; will try again');
        }
      }
      if (!more) await this.sleep(this.failures > 0 ? Math.min(pollMs * 2 ** this.failures, MAX_BACKOFF_MS) : pollMs);
    }
  }

  /**
   * Mandatory: an exchange with no queue bound (the mail service not started
   * yet on a new RabbitMQ) confirms a message and drops it; RabbitMQ returns a
   * mandatory one instead, and the event stays in the outbox for a later round.
   */
  private publish(row: OutboxRow): Promise<void> {
    return publishInRequestContext(USER_EXCHANGE, row, async (headers) => {
      await this.channel!.publish(USER_EXCHANGE, row.routing_key, Buffer.from(JSON.stringify(row.payload)), {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        messageId: row.id,
        // The sign-up's request id and the publish span's traceparent, which the mail service's consumer reads.
        headers,
        ...(headers[REQUEST_ID_HEADER] ? { correlationId: headers[REQUEST_ID_HEADER] } : {}),
        timeout: this.options.confirmTimeoutMs ?? 5_000,
      });
      if (this.unroutable.delete(row.id)) throw new Error(`no queue is bound to ${USER_EXCHANGE} for ${row.routing_key} yet`);
    });
  }

  /** Waits for `ms`, or less if kicked (unless the last round failed: then the backoff stands). */
  private async sleep(ms: number): Promise<void> {
    if (this.stopped || (this.pending && this.failures === 0)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        if (this.stopped || this.failures === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    this.wake = undefined;
  }
}
