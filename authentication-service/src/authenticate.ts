import bcrypt from 'bcrypt';
import { forbidden, unauthorized, type Logger } from '@go-micro/toolkit';
import type { LoginLimits } from './login-limits.js';
import { defaultPasswordWorkLimits, PasswordWork } from './password-work.js';
import { postgresFailure } from './postgres-errors.js';
import { BCRYPT_COST, type User, type UsersStore } from './users-store.js';

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
    /** Where bcrypt's work waits its turn; shared with sign-ups and password resets. */
    private readonly passwords = new PasswordWork(defaultPasswordWorkLimits()),
  ) {}

  /**
   * Returns the user for a right email and password; throws 401 otherwise,
   * 403 for an inactive account, 429 when `clientAddress` or `email` has tried too often.
   */
  async authenticate(email: string, password: string, clientAddress = 'unknown'): Promise<User> {
    await this.passwords.refuseWhenFull();
    await this.limits?.beforeAttempt(email, clientAddress);
    const found = await this.users.findByEmail(email).catch((err: unknown) => {
      throw postgresFailure(err);
    });
    const matches = await this.passwords.compare(password, found?.passwordHash ?? dummyHash);
    if (!found || !matches) {
      await this.limits?.failed(email);
      throw unauthorized(INVALID_CREDENTIALS);
    }
    await this.limits?.succeeded(email);
    // Only someone who knows the password learns that the account is inactive.
    if (found.user.active !== 1) throw forbidden('user is not active');

    // A logger that is down must not fail the login: record it and move on.
    await this.audit({ name: 'authentication', data: `${email} logged in` }).catch((err: unknown) => {
      this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not record the login');
    });
    return found.user;
  }
}
