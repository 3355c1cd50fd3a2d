import { HttpError } from '@go-micro/toolkit';
import type { ServiceClient } from '@go-micro/toolkit/client';

/** The signed-in admin, as the session keeps them. */
export interface DashboardUser {
  id: number;
  email: string;
  firstName: string;
}

export type LoginResult =
  | { kind: 'admin'; user: DashboardUser }
  | { kind: 'not-admin'; email: string }
  | { kind: 'refused'; status: number; message: string; retryAfterSeconds?: number | undefined };

/** Checks a login for the visitor at `clientAddress`, whose tries the authentication service counts. */
export type AdminLogin = (email: string, password: string, clientAddress: string) => Promise<LoginResult>;

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
 * not active) are passed on, a 429 with its wait; a service that is down is
 * thrown as its 5xx. The visitor's address goes as X-Forwarded-For, so the
 * service limits each visitor's tries, not the dashboard's as a whole.
 *
 * The client is imported and made at the first login: it is the logger's only
 * call to another service, and its HTTP client (undici) is ~3.5 MB of heap
 * that a logger whose dashboard nobody opens need not hold.
 */
export function adminLogin(options: AuthServiceOptions): AdminLogin {
  let client: Promise<ServiceClient> | undefined;
  const authServiceClient = () =>
    (client ??= import('@go-micro/toolkit/client').then(({ ServiceClient }) => new ServiceClient({ name: 'authentication-service', ...options })));

  return async (email, password, clientAddress) => {
    const authService = await authServiceClient();
    const { status, envelope, retryAfterSeconds } = await authService.post<TokenReply>('/token', { email, password }, { headers: { 'x-forwarded-for': clientAddress } });
    if (status === 429) {
      const wait = retryAfterSeconds ?? 60;
      return { kind: 'refused', status, message: `Too many login attempts. Try again in ${waitInWords(wait)}.`, retryAfterSeconds: wait };
    }
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

/** A wait as a person reads it: "45 seconds", "15 minutes", "2 hours" (rounded up). */
export function waitInWords(seconds: number): string {
  const [amount, unit] = seconds < 60 ? [Math.ceil(seconds), 'second'] : seconds < 3600 ? [Math.ceil(seconds / 60), 'minute'] : [Math.ceil(seconds / 3600), 'hour'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
