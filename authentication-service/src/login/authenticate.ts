import bcrypt from 'bcrypt';
import { forbidden, HttpError, unauthorized, type Logger } from '@go-micro/toolkit';
import type { User, UserWithHash, UsersStore } from '../accounts/users-store.js';
import { logins } from '../metrics.js';
import { BCRYPT_COST, defaultPasswordWorkLimits, PasswordWork } from '../passwords/password-work.js';
import { postgresFailure } from '../postgres/postgres-errors.js';
import type { Attempt, LoginLimits } from './login-limits.js';

/** Where a successful login is recorded: the logger service, in production. */
export type AuditLog = (entry: { name: string; data: string }) => Promise<void>;

// Compared against when the email is unknown, so that case costs one bcrypt
// comparison too and cannot be told apart from a wrong password by its timing.
const dummyHash = bcrypt.hashSync('no user has this password', BCRYPT_COST);

export const INVALID_CREDENTIALS = 'invalid credentials';

export class Authenticator {
  constructor(
    private readonly users: UsersStore,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
    /** How often logins may be tried; none in tests that count nothing. */
    private readonly limits?: LoginLimits,
    /** Where bcrypt's work waits its turn, in lanes shared with sign-ups and password resets. */
    private readonly passwords = new PasswordWork(defaultPasswordWorkLimits()),
  ) {}

  /**
   * Returns the user for a right email (in any case) and password; throws 401
   * otherwise, 403 for an inactive account, 429 when the login limits say no,
   * 503 when bcrypt's lane for this login is full.
   */
  async authenticate(email: string, password: string, clientAddress = 'unknown'): Promise<User> {
    try {
      const user = await this.check(email, password, clientAddress);
      logins.inc({ outcome: 'ok' });
      return user;
    } catch (err) {
      // A dependency's failure (Postgres down, bcrypt busy) is no login outcome: the 5xx series count it.
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 401 || status === 403) logins.inc({ outcome: 'refused' });
      else if (status === 429) logins.inc({ outcome: 'limited' });
      throw err;
    }
  }

  private async check(email: string, password: string, clientAddress: string): Promise<User> {
    const attempt = await this.limits?.beforeAttempt(email, clientAddress);
    const matched = await this.compare(email, password, attempt).catch(async (err: unknown) => {
      // Never compared: the failure reserved for it is given back.
      if (attempt) await this.limits!.notCompared(attempt);
      throw err;
    });
    if (!matched) {
      if (attempt) await this.limits!.failed(attempt);
      throw unauthorized(INVALID_CREDENTIALS);
    }
    if (attempt) await this.limits!.succeeded(attempt);
    const { user } = matched;
    // Only someone who knows the password learns that the account is inactive.
    if (user.active !== 1) throw forbidden('user is not active');

    // A logger that is down must not fail the login: record it and move on.
    await this.audit({ name: 'authentication', data: `${user.email} logged in` }).catch((err: unknown) => {
      this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not record the login');
    });
    return user;
  }

  /** The user when the password is theirs; undefined for a wrong password or an unknown email, after one comparison either way. */
  private async compare(email: string, password: string, attempt: Attempt | undefined): Promise<UserWithHash | undefined> {
    // The owner's lane when this address has logged in to the account before: a flood of guesses or sign-ups waits behind it.
    const lane = attempt?.known ? 'known' : 'login';
    await this.passwords.refuseWhenFull(lane);
    const found = await this.users.findByEmail(email).catch((err: unknown) => {
      throw postgresFailure(err);
    });
    const matches = await this.passwords.compare(password, found?.passwordHash ?? dummyHash, lane);
    return found && matches ? found : undefined;
  }
}
