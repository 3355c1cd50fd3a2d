import bcrypt from 'bcrypt';
import { forbidden, unauthorized, type Logger } from '@go-micro/toolkit';
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
  ) {}

  /** Returns the user for a right email and password; throws 401 otherwise, 403 for an inactive account. */
  async authenticate(email: string, password: string): Promise<User> {
    const found = await this.users.findByEmail(email);
    const matches = await bcrypt.compare(password, found?.passwordHash ?? dummyHash);
    if (!found || !matches) throw unauthorized(INVALID_CREDENTIALS);
    // Only someone who knows the password learns that the account is inactive.
    if (found.user.active !== 1) throw forbidden('user is not active');

    // A logger that is down must not fail the login: record it and move on.
    await this.audit({ name: 'authentication', data: `${email} logged in` }).catch((err: unknown) => {
      this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not record the login');
    });
    return found.user;
  }
}
