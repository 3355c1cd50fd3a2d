import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { migrateDatabase } from '../src/migrations.js';
import { WelcomeStore } from '../src/welcome-store.js';

const logger = createLogger('mail-service', { level: 'silent', pretty: false });

describe('a database made before migrations/ upgrades in place', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const sentEvent = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    // The table as WelcomeStore.migrate() made it before migrations/ existed, with no migrations table.
    await pool.query('CREATE TABLE welcome_mails (event_id varchar(128) PRIMARY KEY, email varchar(255) NOT NULL, sent_at timestamp with time zone)');
    await pool.query('INSERT INTO welcome_mails (event_id, email, sent_at) VALUES ($1, $2, now())', [sentEvent, 'ada@example.com']);

    await Promise.all([migrateDatabase(db.url, logger), migrateDatabase(db.url, logger)]);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('records its one migration as applied, once, in its own table', async () => {
    const { rows } = await pool.query('SELECT name FROM mail_service_migrations');
    expect(rows).toEqual([{ name: '0001_welcome_mails' }]);
  });

  it('keeps the mails it had sent: a redelivered event is not mailed again', async () => {
    let mailed = false;

    const sent = await new WelcomeStore(pool).sendOnce(sentEvent, 'ada@example.com', async () => {
      mailed = true;
    });

    expect({ sent, mailed }).toEqual({ sent: false, mailed: false });
  });

  it('when the mail fails, records nothing, so a later try sends it', async () => {
    const store = new WelcomeStore(pool);
    const event = randomUUID();

    await expect(store.sendOnce(event, 'grace@example.com', () => Promise.reject(new Error('mail server down')))).rejects.toThrow('mail server down');
    expect(await store.find(event)).toBeUndefined();

    expect(await store.sendOnce(event, 'grace@example.com', async () => undefined)).toBe(true);
    expect(await store.find(event)).toMatchObject({ event_id: event, email: 'grace@example.com' });
  });
});
