import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { USER_REGISTERED_KEY, type UserRegistered } from '@go-micro/contracts';
import { HttpError } from '@go-micro/toolkit';
import { lockForTransaction, withTransaction } from '@go-micro/toolkit/postgres';
import { signUps } from '../metrics.js';
import { requestContext } from '../outbox/outbox-context.js';
import { addToOutbox } from '../outbox/outbox-store.js';
import { defaultPasswordWorkLimits, PasswordWork } from '../passwords/password-work.js';
import { postgresFailure } from '../postgres/postgres-errors.js';
import type { SignUpLimits } from './signup-limits.js';
import { UsersStore } from './users-store.js';

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

// The scope of the advisory locks that serialise sign-ups of one address (lockForTransaction).
const SIGN_UP_LOCK_SCOPE = 4_242_003;

/** A failed query as postgres-errors.ts maps it (503, 504), for .catch(). */
const rethrowPostgres = (err: unknown): never => {
  throw postgresFailure(err);
};

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
  private readonly users: UsersStore;

  constructor(
    private readonly pool: Pool,
    /** Told after each commit, so the event goes out now rather than at the next poll. */
    private readonly onCommitted: () => void = () => undefined,
    private readonly passwords = new PasswordWork(defaultPasswordWorkLimits()),
    /** How often sign-ups may be made; none in tests that count nothing. */
    private readonly limits?: SignUpLimits,
  ) {
    this.users = new UsersStore(pool);
  }

  /** Throws 429 when `clientAddress` or everyone has signed up too often, 409 when the email is taken, 503 when bcrypt is busy. */
  async register(given: SignUp, clientAddress = 'unknown'): Promise<Registered> {
    const signUp = { ...given, email: given.email.trim().toLowerCase() };
    // Counted first, and a taken address answered next: neither costs a hash.
    await this.limits?.beforeSignUp(clientAddress);
    await this.passwords.refuseWhenFull('signUp');
    if (await this.users.emailTaken(signUp.email).catch(rethrowPostgres)) throw new HttpError(409, EMAIL_TAKEN);
    // Hashed before the transaction: a quarter second of bcrypt must not hold a connection and locks.
    const passwordHash = await this.passwords.hash(signUp.password);
    const registered = await withTransaction(this.pool, async (client) => {
      await lockForTransaction(client, SIGN_UP_LOCK_SCOPE, signUp.email);
      if (await this.users.emailTaken(signUp.email, client)) throw new HttpError(409, EMAIL_TAKEN);
      const user = { email: signUp.email, firstName: signUp.first_name, lastName: signUp.last_name, passwordHash, active: 1 };
      const inserted = await this.users.insert(user, client);
      if (!inserted) throw new HttpError(409, EMAIL_TAKEN);
      const event: UserRegistered = {
        event_id: randomUUID(),
        user_id: inserted.id,
        email: signUp.email,
        first_name: signUp.first_name,
        last_name: signUp.last_name,
        registered_at: inserted.createdAt.toISOString(),
      };
      await addToOutbox(client, { id: event.event_id, routing_key: USER_REGISTERED_KEY, payload: event, headers: requestContext() });
      return { user_id: inserted.id, email: signUp.email, event_id: event.event_id };
    }).catch(rethrowPostgres);
    signUps.inc();
    this.onCommitted();
    return registered;
  }
}
