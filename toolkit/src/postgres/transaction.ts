import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on one connection of `pool`: COMMIT when it
 * resolves, ROLLBACK when it throws, and the error goes on to the caller. The
 * connection always goes back to the pool, or is closed if even ROLLBACK failed.
 */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackFailure: Error) => {
      broken = rollbackFailure;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Holds an advisory lock on `key` in `scope` until the transaction ends; another
 * transaction asking for the same one waits. It locks what has no row yet to
 * lock with FOR UPDATE: two sign-ups of one address, say.
 */
export async function lockForTransaction(client: PoolClient, scope: number, key: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [scope, key]);
}
