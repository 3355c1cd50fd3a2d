import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@go-micro/toolkit/postgres';

/**
 * One event of the outbox (migrations/0004_outbox.sql): events written in the
 * same transaction as the change they tell of, so a sign-up and its
 * user.registered event are stored together or not at all. The publisher sends
 * them and marks them sent; rows sent stay for a while, as a record, and can be
 * deleted at will.
 */
export interface OutboxRow {
  id: string;
  routing_key: string;
  payload: unknown;
  /** The request that wrote it: its x-request-id and W3C traceparent, sent on as the message's headers (outbox-context.ts). */
  headers?: Record<string, string> | null;
}

/** Adds an event inside the caller's transaction. */
export async function addToOutbox(client: PoolClient, row: OutboxRow): Promise<void> {
  await client.query('INSERT INTO outbox (id, routing_key, payload, headers) VALUES ($1, $2, $3, $4)', [
    row.id,
    row.routing_key,
    JSON.stringify(row.payload),
    row.headers ? JSON.stringify(row.headers) : null,
  ]);
}

/** How many events wait to be sent (the outbox_unsent index holds just those). */
export async function countUnsent(db: Pick<Pool, 'query'>): Promise<number> {
  const { rows } = await db.query<{ unsent: number }>('SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL');
  return rows[0]?.unsent ?? 0;
}

/**
 * Hands up to `limit` unsent rows, oldest first, to `send`, and marks sent the
 * ones it confirmed, in one transaction. The rows stay locked until then, and
 * SKIP LOCKED lets another replica take the next ones instead of sending these
 * twice. If `send` fails, the rows it did not confirm stay unsent for the next round.
 */
export async function sendUnsent(pool: Pool, limit: number, send: (row: OutboxRow) => Promise<void>): Promise<{ sent: number; taken: number }> {
  const { sent, taken, failure } = await withTransaction(pool, async (client) => {
    const { rows } = await client.query<OutboxRow>(
      `SELECT id, routing_key, payload, headers FROM outbox WHERE sent_at IS NULL
       ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    const confirmed: string[] = [];
    let failure: unknown;
    for (const row of rows) {
      try {
        await send(row);
        confirmed.push(row.id);
      } catch (err) {
        failure = err;
        break;
      }
    }
    if (confirmed.length > 0) await client.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::uuid[])', [confirmed]);
    return { sent: confirmed.length, taken: rows.length, failure };
  });
  // Thrown after the commit, so the rows confirmed before it stay marked sent.
  if (failure !== undefined) throw failure;
  return { sent, taken };
}
