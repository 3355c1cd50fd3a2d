import { readFileSync } from 'node:fs';
import { unfitForProduction, type DeployEnv } from '@go-micro/toolkit';
import { SEED_USER } from './users-store.js';

/**
 * The seeded admin's password. In development the course's `verysecret` unless
 * ADMIN_PASSWORD or ADMIN_PASSWORD_FILE says otherwise. In production one of
 * them must be set, to a password fit for production (toolkit's secrets.ts:
 * nothing written in the repository, 12 characters or more, not easy to guess):
 * anything else stops the service at start, naming the variable and why, rather
 * than seed an account everyone who read the course can log in to.
 */
export function adminPassword(config: { DEPLOY_ENV: DeployEnv; ADMIN_PASSWORD?: string | undefined; ADMIN_PASSWORD_FILE?: string | undefined }): string {
  let password = config.ADMIN_PASSWORD || undefined;
  let source = 'ADMIN_PASSWORD';
  if (config.ADMIN_PASSWORD_FILE) {
    source = 'ADMIN_PASSWORD_FILE';
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
  if (password === SEED_USER.password) throw refuse(`${source}: the admin's password is the course's "${SEED_USER.password}", which everyone knows`);
  const unfit = unfitForProduction(password, 'password');
  if (unfit) throw refuse(`${source}: the admin's password ${unfit}`);
  return password;
}
