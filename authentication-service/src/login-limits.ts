import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from '@go-micro/toolkit';
import { postgresFailure } from './postgres-errors.js';

export interface LoginLimitSettings {
  /** Login attempts one client address may make per minute, right or wrong. */
  perAddressPerMinute: number;
  /** Wrong passwords one email may take per 15 minutes, from anywhere. */
  failuresPerEmail: number;
}

const TABLE = 'login_limits';
const EMAIL_WINDOW_S = 15 * 60;
// Another constant than the users table's: the two set-ups do not wait on each other.
const TABLE_LOCK_ID = 4_242_002;

/**
 * How often logins may be tried, counted in Postgres so every replica sees
 * the same counts (rate-limiter-flexible's Postgres store, one row per key).
 *
 * - Per client address, every attempt counts, before the password is
 *   compared: a flood costs a query, not a bcrypt hash (250 ms of CPU).
 * - Per email, only wrong passwords count, and a right one clears them: a
 *   guesser spreading over many addresses is stopped at the account, and its
 *   owner, who knows the password, is locked out only while someone guesses.
 */
export class LoginLimits {
  private readonly byAddress: RateLimiterPostgres;
  private readonly byEmail: RateLimiterPostgres;

  constructor(
    private readonly pool: Pool,
    private readonly settings: LoginLimitSettings,
  ) {
    const common = { storeClient: pool, tableName: TABLE, tableCreated: true };
    this.byAddress = new RateLimiterPostgres({ ...common, keyPrefix: 'address', points: settings.perAddressPerMinute, duration: 60 });
    this.byEmail = new RateLimiterPostgres({ ...common, keyPrefix: 'email', points: settings.failuresPerEmail, duration: EMAIL_WINDOW_S });
  }

  /** The table the counts live in; safe from every replica at once, like the users table. */
  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [TABLE_LOCK_ID]);
      // The library's own table, with `key` as text: its varchar(255) would not hold every prefixed email.
      await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (key text PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Counts an attempt from `address` and throws 429 if it or `email` is over its limit. */
  async beforeAttempt(email: string, address: string): Promise<void> {
    await limited(() => this.byAddress.consume(address));
    const failures = await limited(() => this.byEmail.get(emailKey(email)));
    if (failures && failures.consumedPoints >= this.settings.failuresPerEmail) throw tooManyRequests('login attempts', failures.msBeforeNext / 1000);
  }

  async failed(email: string): Promise<void> {
    await limited(() => this.byEmail.penalty(emailKey(email), 1));
  }

  async succeeded(email: string): Promise<void> {
    await limited(() => this.byEmail.delete(emailKey(email)));
  }
}

const emailKey = (email: string) => email.trim().toLowerCase();

/** A refusal of the limiter is a 429; any other failure is Postgres's. */
async function limited<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (err instanceof RateLimiterRes) throw tooManyRequests('login attempts', err.msBeforeNext / 1000);
    throw postgresFailure(err);
  }
}
