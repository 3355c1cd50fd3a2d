import type { Pool } from 'pg';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';
import { limited, limiter } from '../login/rate-limits.js';

export interface SignUpLimitSettings {
  /** Sign-ups one client address may make per 10 minutes. */
  perAddress: number;
  /** Sign-ups all clients together may make per minute, across replicas. */
  perMinute: number;
}

const ADDRESS_WINDOW_S = 10 * 60;

/**
 * How often sign-ups may be made: each one sends a mail to the address it
 * names, so without a limit sign-up would be a mail relay for anyone. Counted
 * per client address and in total, in Postgres (every replica sees the same
 * counts), before the email is looked up or the password hashed.
 */
export class SignUpLimits {
  private readonly byAddress: RateLimiterPostgres;
  private readonly total: RateLimiterPostgres;

  constructor(pool: Pool, settings: SignUpLimitSettings) {
    this.byAddress = limiter(pool, 'signup-address', settings.perAddress, ADDRESS_WINDOW_S);
    this.total = limiter(pool, 'signup-total', settings.perMinute, 60);
  }

  /** Counts a sign-up from `address`; throws 429 with Retry-After when it or everyone together is over the limit. */
  async beforeSignUp(address: string): Promise<void> {
    await limited('sign-ups', () => this.byAddress.consume(address));
    await limited('sign-ups', () => this.total.consume('all'));
  }
}
