import { readFileSync } from 'node:fs';
import bcrypt from 'bcrypt';
import { unfitForProduction, type DeployEnv } from '@go-micro/toolkit';
import { BCRYPT_COST } from '../passwords/password-work.js';
import type { UsersStore } from './users-store.js';

/** The course's admin, made at start-up when the table has none. */
export const SEED_USER = {
  email: 'admin@example.com',
  password: 'verysecret',
  firstName: 'Admin',
  lastName: 'User',
};

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

/**
 * Creates the admin, active and an admin, unless an account holds its address in
 * any spelling. Safe from replicas starting together: one of them inserts it, the
 * others find it there. Returns whether this call created it.
 */
export async function seedAdmin(users: UsersStore, password: string): Promise<boolean> {
  if (await users.emailTaken(SEED_USER.email)) return false;
  const passwordHash = await bcrypt.hash(password, BCRYPT_COST);
  const { email, firstName, lastName } = SEED_USER;
  return (await users.insert({ email, firstName, lastName, passwordHash, active: 1, admin: true })) !== undefined;
}

/**
 * In production, an admin still holding the course's password (seeded by an
 * earlier start without ADMIN_PASSWORD) gets `password` instead. Returns whether it did.
 */
export async function replaceDefaultAdminPassword(users: UsersStore, password: string): Promise<boolean> {
  const found = await users.findByEmail(SEED_USER.email);
  if (!found || !(await bcrypt.compare(SEED_USER.password, found.passwordHash))) return false;
  return users.setPasswordHash(found.user.id, await bcrypt.hash(password, BCRYPT_COST));
}
