import { HttpError } from '@go-micro/toolkit';
import type { ServiceClient } from '@go-micro/toolkit/client';

/** The signed-in admin, as the session keeps them. */
export interface DashboardUser {
  id: number;
  email: string;
  firstName: string;
}

export type LoginResult = { kind: 'admin'; user: DashboardUser } | { kind: 'not-admin'; email: string } | { kind: 'refused'; status: number; message: string };

interface TokenReply {
  user: { id: number; email: string; first_name: string; admin: boolean };
}

/** Where the authentication service answers, and how long a login may wait for it. */
export interface AuthServiceOptions {
  baseUrl: string;
  timeoutMs?: number;
}

/**
 * Checks an email and password with the authentication service (POST /token,
 * the same check as the course's /authenticate) and says whether they belong
 * to an admin. The service's words for a refusal (invalid credentials, user is
 * not active) are passed on; a service that is down is thrown as its 5xx.
 *
 * The client is imported and made at the first login: it is the logger's only
 * call to another service, and its HTTP client (undici) is ~3.5 MB of heap
 * that a logger whose dashboard nobody opens need not hold.
 */
export function adminLogin(options: AuthServiceOptions): (email: string, password: string) => Promise<LoginResult> {
  let client: Promise<ServiceClient> | undefined;
  const authServiceClient = () =>
    (client ??= import('@go-micro/toolkit/client').then(({ ServiceClient }) => new ServiceClient({ name: 'authentication-service', ...options })));

  return async (email, password) => {
    const authService = await authServiceClient();
    const { status, envelope } = await authService.post<TokenReply>('/token', { email, password });
    if (envelope.error) {
      // 400 for an address that is not one: to a person, the same as a wrong one.
      return { kind: 'refused', status: status === 400 ? 401 : status, message: status === 400 ? 'invalid credentials' : envelope.message };
    }
    const user = envelope.data?.user;
    if (!user) throw new HttpError(502, `${authService.name} gave a bad answer (no user)`);
    if (!user.admin) return { kind: 'not-admin', email: user.email };
    return { kind: 'admin', user: { id: user.id, email: user.email, firstName: user.first_name } };
  };
}
