import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { USER_REGISTERED_KEY, type UserRegistered } from '@go-micro/contracts';
import { HttpError } from '@go-micro/toolkit';
import { signUps } from './metrics.js';
import { requestContext } from './outbox-context.js';
import { addToOutbox } from './outbox-store.js';
import { defaultPasswordWorkLimits, PasswordWork } from './password-work.js';
import { postgresFailure } from './postgres-errors.js';
import type { SignUpLimits } from './signup-limits.js';

export interface SignUp {
  email: string;
  first_name: string;
  last_name: string;
  password: string;
}

export interface Registered {
  user_id: number;
  email: string;
  /** The id of the user.registered event: what the welcome mail is known by. */
  event_id: string;
}

const UNIQUE_VIOLATION = '23505';
// The first key of the two-key advisory locks that serialise sign-ups of one address; the second is the address's hash.
const SIGN_UP_LOCK_CLASS = 4_242_003;

/** Says nothing about the account that holds the address, only that one does. */
export const EMAIL_TAKEN = 'email is already registered';

/**
 * Signs a user up: the user row and its user.registered event in the outbox,
 * in one transaction, so neither exists without the other. Sending the event
 * is the outbox publisher's job, not the request's: a sign-up answers at once,
 * whatever RabbitMQ and the mail server are doing.
 *
 * An email is one account whatever its case: it is stored lower-cased, and two
 * sign-ups of the same address wait for each other on an advisory lock, so the
 * second finds the first (a unique index on lower(email) could not be built on
 * a table of an earlier version that holds two spellings of one address).
 */
export class Registration {
  constructor(
    private readonly pool: Pool,
    /** Told after each commit, so the event goes out now rather than at the next poll. */
    private readonly onCommitted: () => void = () => undefined,
    private readonly passwords = new PasswordWork(defaultPasswordWorkLimits()),
    /** How often sign-ups may be made; none in tests that count nothing. */
    private readonly limits?: SignUpLimits,
  ) {}

  /** Throws 429 when `clientAddress` or everyone has signed up too often, 409 when the email is taken, 503 when bcrypt is busy. */
  async register(given: SignUp, clientAddress = 'unknown'): Promise<Registered> {
    const signUp = { ...given, email: given.email.trim().toLowerCase() };
    // Counted first, and a taken address answered next: neither costs a hash.
    await this.limits?.beforeSignUp(clientAddress);
    await this.passwords.refuseWhenFull('signUp');
    if (await this.taken(this.pool, signUp.email)) throw new HttpError(409, EMAIL_TAKEN);
    // Hashed before the transaction: a quarter second of bcrypt must not hold a connection and locks.
    const hash = await this.passwords.hash(signUp.password);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SIGN_UP_LOCK_CLASS, signUp.email]);
      if (await this.taken(client, signUp.email)) throw new HttpError(409, EMAIL_TAKEN);
      const { rows } = await client.query<{ id: number; created_at: Date }>(
        `INSERT INTO users (email, first_name, last_name, password, user_active)
         VALUES ($1, $2, $3, $4, 1) RETURNING id, created_at`,
        [signUp.email, signUp.first_name, signUp.last_name, hash],
      );
      const { id, created_at: createdAt } = rows[0]!;
      const event: UserRegistered = {
        event_id: randomUUID(),
        user_id: id,
        email: signUp.email,
        first_name: signUp.first_name,
        last_name: signUp.last_name,
        registered_at: createdAt.toISOString(),
      };
      await addToOutbox(client, { id: event.event_id, routing_key: USER_REGISTERED_KEY, payload: event, headers: requestContext() });
      await client.query('COMMIT');
      signUps.inc();
      this.onCommitted();
      return { user_id: id, email: signUp.email, event_id: event.event_id };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new HttpError(409, EMAIL_TAKEN);
      throw postgresFailure(err);
    } finally {
      client.release();
    }
  }

  private async taken(db: Pick<Pool, 'query'>, email: string): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM users WHERE lower(email) = $1', [email]).catch((err: unknown) => {
      throw postgresFailure(err);
    });
    return rowCount !== 0;
  }
}
