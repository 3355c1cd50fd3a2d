import type { DeployEnv } from '@go-micro/toolkit';

/** The sender the course's page writes in its Test Mail payload. */
export const COURSE_PAGE_SENDER = 'me@example.com';

/** Says whether a caller may send as `from`. */
export type SenderPolicy = (from: string) => boolean;

/**
 * Who may be named as the sender: MAIL_ALLOWED_FROM when set (addresses, or
 * `@domain` for a whole domain), else FROM_ADDRESS, plus the page's
 * me@example.com in development so the course's button works. A caller-chosen
 * From is how an open relay sends phishing in someone else's name.
 */
export function allowedSenders(config: { DEPLOY_ENV: DeployEnv; FROM_ADDRESS: string; MAIL_ALLOWED_FROM?: string[] | undefined }): string[] {
  if (config.MAIL_ALLOWED_FROM?.length) return config.MAIL_ALLOWED_FROM;
  return config.DEPLOY_ENV === 'production' ? [config.FROM_ADDRESS] : [config.FROM_ADDRESS, COURSE_PAGE_SENDER];
}

export function senderPolicy(allowed: readonly string[]): SenderPolicy {
  const entries = allowed.map((entry) => entry.trim().toLowerCase());
  return (from) => {
    const address = from.trim().toLowerCase();
    const domain = address.slice(address.lastIndexOf('@'));
    return entries.includes(address) || entries.includes(domain);
  };
}
