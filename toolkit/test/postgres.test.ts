import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { lockForTransaction, migrate, withTransaction } from '../src/postgres/index.js';

const fixture = (folder: string) => new URL(`fixtures/${folder}`, import.meta.url).pathname;
const silent = pino({ level: 'silent' });

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  await pool.query('CREATE TABLE things (name text PRIMARY KEY)');
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const names = async () => (await pool.query<{ name: string }>('SELECT name FROM things ORDER BY name')).rows.map((row) => row.name);

/** The advisory locks of scope 1 in this test's database, held or waited for. */
const advisoryLocks = async (granted: boolean) =>
  (
    await pool.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 1 AND objsubid = 2 AND granted = $1
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [granted],
    )
  ).rowCount;

/** Polls until `check` holds, for at most 10 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the condition never held');
}

describe('withTransaction', () => {
  it('when the work resolves, commits what it wrote and returns its result', async () => {
    const result = await withTransaction(pool, async (client) => {
      await client.query("INSERT INTO things VALUES ('committed')");
      return 'done';
    });

    expect(result).toBe('done');
    expect(await names()).toContain('committed');
  });

  it('when the work throws, rolls back what it wrote, throws that error, and gives the connection back', async () => {
    const failure = new Error('the work failed');

    const outcome = withTransaction(pool, async (client) => {
      await client.query("INSERT INTO things VALUES ('rolled-back')");
      throw failure;
    });

    await expect(outcome).rejects.toBe(failure);
    expect(await names()).not.toContain('rolled-back');
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('when a statement fails, rolls back and the pool goes on working', async () => {
    const outcome = withTransaction(pool, async (client) => {
      await client.query("INSERT INTO things VALUES ('before-the-error')");
      await client.query('SELECT * FROM no_such_table');
    });

    await expect(outcome).rejects.toThrow(/no_such_table/);
    expect(await names()).not.toContain('before-the-error');
  });
});

describe('lockForTransaction', () => {
  it('when two transactions lock the same key, the second waits until the first commits', async () => {
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    const order: string[] = [];
    const first = withTransaction(pool, async (client) => {
      await lockForTransaction(client, 1, 'same-key');
      await firstMayCommit;
      order.push('first');
    });
    await eventually(async () => (await advisoryLocks(true)) === 1);

    const second = withTransaction(pool, async (client) => {
      await lockForTransaction(client, 1, 'same-key');
      order.push('second');
    });
    await eventually(async () => (await advisoryLocks(false)) === 1);
    expect(order).toEqual([]);
    releaseFirst();
    await Promise.all([first, second]);

    expect(order).toEqual(['first', 'second']);
  });
});

describe('migrate', () => {
  const run = (folder: string, table: string) => migrate(db.url, { dir: fixture(folder), table, logger: silent });

  it('when several start together, applies each migration once, in order, and records it in its own table', async () => {
    const results = await Promise.all([1, 2, 3].map(() => run('migrations', 'notes_migrations')));

    expect(results.flat()).toEqual(['0001_notes', '0002_notes_author']);
    const { rows } = await pool.query('SELECT name FROM notes_migrations ORDER BY id');
    expect(rows).toEqual([{ name: '0001_notes' }, { name: '0002_notes_author' }]);
    await pool.query("INSERT INTO notes (text, author) VALUES ('hello', 'ada')");
  });

  it('when started again, applies nothing', async () => {
    expect(await run('migrations', 'notes_migrations')).toEqual([]);
  });

  it('when another service migrates the same database with its own table, each keeps its own numbering', async () => {
    expect(await run('other-migrations', 'tags_migrations')).toEqual(['0001_tags']);
    expect(await run('migrations', 'notes_migrations')).toEqual([]);
  });

  it('when a migration fails, applies none of that run and records none', async () => {
    await expect(run('failing-migrations', 'ledger_migrations')).rejects.toThrow(/no_such_table/);

    expect((await pool.query("SELECT to_regclass('ledger') AS ledger")).rows).toEqual([{ ledger: null }]);
    expect((await pool.query('SELECT count(*)::int AS n FROM ledger_migrations')).rows).toEqual([{ n: 0 }]);
  });
});
