import type { Pool } from 'pg';
import { withTransaction } from '@go-micro/toolkit/postgres';

export interface WelcomeRecord {
  event_id: string;
  email: string;
  sent_at: string;
}

/**
 * The mail service's own table in Postgres (migrations/0001_welcome_mails.sql):
 * which user.registered events have had their welcome mail. It is what makes a
 * redelivered or republished event harmless: the mail goes out once per event id.
 */
export class WelcomeStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Runs `send` unless the event's mail was already sent, and records it as
   * sent in the same transaction. The event's row stays locked while `send`
   * runs, so two replicas given the same event (a redelivery racing the
   * first) send it once: the second waits and then finds it sent. If `send`
   * fails, nothing is recorded and a later try sends it. Returns whether it sent.
   */
  async sendOnce(eventId: string, email: string, send: () => Promise<void>): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO welcome_mails (event_id, email) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING', [eventId, email]);
      const { rows } = await client.query<{ sent_at: Date | null }>('SELECT sent_at FROM welcome_mails WHERE event_id = $1 FOR UPDATE', [eventId]);
      if (rows[0]?.sent_at) return false;
      await send();
      await client.query('UPDATE welcome_mails SET sent_at = now() WHERE event_id = $1', [eventId]);
      return true;
    });
  }

  /** The welcome mail of an event, once sent. */
  async find(eventId: string): Promise<WelcomeRecord | undefined> {
    const { rows } = await this.pool.query<{ event_id: string; email: string; sent_at: Date }>(
      'SELECT event_id, email, sent_at FROM welcome_mails WHERE event_id = $1 AND sent_at IS NOT NULL',
      [eventId],
    );
    const row = rows[0];
    return row && { event_id: row.event_id, email: row.email, sent_at: row.sent_at.toISOString() };
  }
}
