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

/**
 * Checks an email and password with the authentication service (POST /token,
 * the same check as the course's /authenticate) and says whether they belong
 * to an admin. The service's words for a refusal (invalid credentials, user is
 * not active) are passed on; a service that is down is thrown as its 5xx.
 */
export const adminLogin =
  (authService: ServiceClient) =>
  async (email: string, password: string): Promise<LoginResult> => {
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
