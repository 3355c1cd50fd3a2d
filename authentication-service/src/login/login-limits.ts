import type { Pool } from 'pg';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';
import { limited, limiter } from './rate-limits.js';

export interface LoginLimitSettings {
  /** Login attempts one client address may make per minute, right or wrong. */
  perAddressPerMinute: number;
  /** Wrong passwords one email may take from one client address per 15 minutes. */
  failuresPerEmailAndAddress: number;
  /** Wrong passwords one email may take per 15 minutes, from anywhere, before its slow lane opens. */
  slowAfterFailures: number;
  /** In the slow lane, one attempt per this many seconds for the email, from addresses it does not know. */
  slowLaneSeconds: number;
  /** How long an address that logged in to an account is remembered as the owner's. */
  knownAddressDays: number;
}

/** One login attempt, as the limits let it through: compare its password, then say how it went. */
export interface Attempt {
  email: string;
  address: string;
  /** This address has logged in to this email before: its owner's, most likely. */
  known: boolean;
  /** A failure was reserved for the email too (addresses it does not know), given back unless the password is wrong. */
  reservedForEmail: boolean;
}

const FAILURE_WINDOW_S = 15 * 60;
const WHAT = 'login attempts';

/**
 * How often logins may be tried, counted in Postgres so every replica sees the
 * same counts. Nothing here locks an account: its owner, who knows the password,
 * gets in whoever guesses at it.
 *
 * - Per client address, every attempt counts, before the password is compared:
 *   a flood costs a query, not a bcrypt hash (250 ms of CPU).
 * - Per email and address, a wrong password counts, and its point is taken
 *   before the comparison (given back when the password was right), so no
 *   number of concurrent attempts compares more passwords than the limit.
 * - Per email, past a number of wrong passwords from anywhere, attempts from
 *   addresses that never logged in to it take turns in a slow lane (one every
 *   few seconds, 429 beyond it), while an address that has logged in to it
 *   before, remembered for weeks, goes straight through. Their failures are
 *   reserved before the comparison too, so guesses from many addresses at once
 *   cannot all slip in before the lane opens.
 */
export class LoginLimits {
  private readonly byAddress: RateLimiterPostgres;
  private readonly byPair: RateLimiterPostgres;
  private readonly accountFailures: RateLimiterPostgres;
  private readonly slowLane: RateLimiterPostgres;
  private readonly knownPairs: RateLimiterPostgres;

  constructor(
    pool: Pool,
    private readonly settings: LoginLimitSettings,
  ) {
    this.byAddress = limiter(pool, 'address', settings.perAddressPerMinute, 60);
    this.byPair = limiter(pool, 'pair', settings.failuresPerEmailAndAddress, FAILURE_WINDOW_S);
    // Only read and added to: the count that opens the slow lane.
    this.accountFailures = limiter(pool, 'email', Number.MAX_SAFE_INTEGER, FAILURE_WINDOW_S);
    this.slowLane = limiter(pool, 'slow', 1, settings.slowLaneSeconds);
    this.knownPairs = limiter(pool, 'known', 1, settings.knownAddressDays * 24 * 60 * 60);
  }

  /** Counts an attempt and reserves its failure; throws 429 with Retry-After when one of the limits says no. */
  async beforeAttempt(email: string, address: string): Promise<Attempt> {
    const attempt: Attempt = { email: normalized(email), address, known: false, reservedForEmail: false };
    await limited(WHAT, () => this.byAddress.consume(address));
    attempt.known = (await limited(WHAT, () => this.knownPairs.get(pairKey(attempt)))) !== null;
    await limited(WHAT, () => this.byPair.consume(pairKey(attempt)));
    if (attempt.known) return attempt;
    try {
      const failures = await limited(WHAT, () => this.accountFailures.penalty(attempt.email, 1));
      attempt.reservedForEmail = true;
      if (failures.consumedPoints > this.settings.slowAfterFailures) await limited(WHAT, () => this.slowLane.consume(attempt.email));
    } catch (err) {
      await this.notCompared(attempt);
      throw err;
    }
    return attempt;
  }

  /** A wrong password: it was counted before the comparison, but from a known address, where it counts now. */
  async failed(attempt: Attempt): Promise<void> {
    if (!attempt.reservedForEmail) await limited(WHAT, () => this.accountFailures.penalty(attempt.email, 1));
  }

  /** The right password: its reserved failures are given back, and the address is remembered as the owner's. */
  async succeeded(attempt: Attempt): Promise<void> {
    await limited(WHAT, () =>
      Promise.all([
        this.byPair.delete(pairKey(attempt)),
        this.knownPairs.set(pairKey(attempt), 1, this.settings.knownAddressDays * 24 * 60 * 60),
        attempt.reservedForEmail ? this.accountFailures.reward(attempt.email, 1) : undefined,
      ]),
    );
  }

  /** The password was never compared (refused by the slow lane, the service busy, Postgres failed): what was reserved is given back. */
  async notCompared(attempt: Attempt): Promise<void> {
    await limited(WHAT, () =>
      Promise.all([this.byPair.reward(pairKey(attempt), 1), attempt.reservedForEmail ? this.accountFailures.reward(attempt.email, 1) : undefined]),
    );
  }
}

/** Emails are one account whatever their case: the keys are lower-cased. */
const normalized = (email: string) => email.trim().toLowerCase();
const pairKey = ({ email, address }: { email: string; address: string }) => `${email}|${address}`;
