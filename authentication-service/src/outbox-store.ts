import type { Pool, PoolClient } from 'pg';

/** One event waiting in the outbox, as the publisher sends it. */
export interface OutboxRow {
  id: string;
  routing_key: string;
  payload: unknown;
  /** The request that wrote it: its x-request-id and W3C traceparent, sent on as the message's headers (outbox-context.ts). */
  headers?: Record<string, string> | null;
}

type Queryable = Pick<PoolClient, 'query'>;

/**
 * The outbox: events written in the same transaction as the change they tell
 * of, so a sign-up and its user.registered event are stored together or not
 * at all. The publisher sends them and marks them sent; rows sent stay for a
 * while, as a record, and can be deleted at will.
 */
export async function createOutboxTable(client: Queryable): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS outbox (
      id uuid PRIMARY KEY,
      routing_key varchar(255) NOT NULL,
      payload jsonb NOT NULL,
      headers jsonb,
      created_at timestamp with time zone NOT NULL DEFAULT now(),
      sent_at timestamp with time zone
    )`);
  // The publisher looks only at what is not sent yet, oldest first.
  await client.query('CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL');
  // The request id and trace context of the sign-up (outbox-context.ts), added to a table of an earlier version.
  await client.query('ALTER TABLE outbox ADD COLUMN IF NOT EXISTS headers jsonb');
}

/** Adds an event inside the caller's transaction. */
export async function addToOutbox(client: Queryable, row: OutboxRow): Promise<void> {
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
  const client = await pool.connect();
  const sent: string[] = [];
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<OutboxRow>(
      `SELECT id, routing_key, payload, headers FROM outbox WHERE sent_at IS NULL
       ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    let failure: unknown;
    for (const row of rows) {
      try {
        await send(row);
        sent.push(row.id);
      } catch (err) {
        failure = err;
        break;
      }
    }
    if (sent.length > 0) await client.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::uuid[])', [sent]);
    await client.query('COMMIT');
    if (failure !== undefined) throw failure;
    return { sent: sent.length, taken: rows.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
