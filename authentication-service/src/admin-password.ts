import { readFileSync } from 'node:fs';
import type { DeployEnv } from '@go-micro/toolkit';
import { SEED_USER } from './users-store.js';

const MIN_PRODUCTION_CHARS = 12;

/**
 * The seeded admin's password. In development the course's `verysecret` unless
 * ADMIN_PASSWORD or ADMIN_PASSWORD_FILE says otherwise. In production one of
 * them must be set, to something else than the course's password and at least
 * 12 characters: anything else stops the service at start, saying why, rather
 * than seed an account everyone who read the course can log in to.
 */
export function adminPassword(config: { DEPLOY_ENV: DeployEnv; ADMIN_PASSWORD?: string | undefined; ADMIN_PASSWORD_FILE?: string | undefined }): string {
  let password = config.ADMIN_PASSWORD || undefined;
  if (config.ADMIN_PASSWORD_FILE) {
    try {
      // A secret file usually ends with a newline that is not part of the password.
      password = readFileSync(config.ADMIN_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`ADMIN_PASSWORD_FILE: cannot read ${config.ADMIN_PASSWORD_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (config.DEPLOY_ENV !== 'production') return password || SEED_USER.password;

  const refuse = (why: string) =>
    new Error(`refusing to start in production: ${why}; set ADMIN_PASSWORD_FILE to a secret holding the admin's password (or ADMIN_PASSWORD)`);
  if (!password) throw refuse(`the admin would get the course's password "${SEED_USER.password}"`);
  if (password === SEED_USER.password) throw refuse(`the admin's password is the course's "${SEED_USER.password}", which everyone knows`);
  if (password.length < MIN_PRODUCTION_CHARS) throw refuse(`the admin's password is shorter than ${MIN_PRODUCTION_CHARS} characters`);
  return password;
}
