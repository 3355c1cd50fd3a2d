import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminPassword } from '../src/accounts/seeded-admin.js';

describe("the admin's password", () => {
  it("in development, is the course's verysecret unless one is given", () => {
    expect(adminPassword({ DEPLOY_ENV: 'development' })).toBe('verysecret');
    expect(adminPassword({ DEPLOY_ENV: 'development', ADMIN_PASSWORD: 'another one' })).toBe('another one');
  });

  it("in production, without one, or with the course's, or a short one, refuses to start and says why", () => {
    expect(() => adminPassword({ DEPLOY_ENV: 'production' })).toThrow(/^refusing to start in production: the admin would get the course's password "verysecret"; set ADMIN_PASSWORD_FILE/);
    expect(() => adminPassword({ DEPLOY_ENV: 'production', ADMIN_PASSWORD: 'verysecret' })).toThrow(/the admin's password is the course's "verysecret", which everyone knows/);
    expect(() => adminPassword({ DEPLOY_ENV: 'production', ADMIN_PASSWORD: 'short' })).toThrow(/shorter than 12 characters/);
  });

  it('in production, with a password written in the repository or easy to guess, refuses to start naming the variable and why', () => {
    expect(() => adminPassword({ DEPLOY_ENV: 'production', ADMIN_PASSWORD: 'a long password of yours' })).toThrow(
      /^refusing to start in production: ADMIN_PASSWORD: the admin's password is written in this repository \("a long password of yours"\), so anyone can read it; /,
    );
    expect(() => adminPassword({ DEPLOY_ENV: 'production', ADMIN_PASSWORD: 'Password2024!' })).toThrow(/ADMIN_PASSWORD: the admin's password is written in this repository \("password"\)/);
    expect(() => adminPassword({ DEPLOY_ENV: 'production', ADMIN_PASSWORD: '111111111111' })).toThrow(/ADMIN_PASSWORD: the admin's password has only 1 different characters/);
    expect(() => adminPassword({ DEPLOY_ENV: 'production', ADMIN_PASSWORD: '739182645029' })).toThrow(/ADMIN_PASSWORD: the admin's password is too easy to guess/);
  });

  it('in production, reads it from ADMIN_PASSWORD_FILE (a Docker or Kubernetes secret), without its final newline', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'secret-')), 'admin_password');
    await writeFile(file, 'a long production secret\n');
    expect(adminPassword({ DEPLOY_ENV: 'production', ADMIN_PASSWORD_FILE: file })).toBe('a long production secret');
    expect(() => adminPassword({ DEPLOY_ENV: 'production', ADMIN_PASSWORD_FILE: `${file}.missing` })).toThrow(/^ADMIN_PASSWORD_FILE: cannot read .* \(ENOENT\)$/);
    await writeFile(file, 'verysecret123\n');
    expect(() => adminPassword({ DEPLOY_ENV: 'production', ADMIN_PASSWORD_FILE: file })).toThrow(/ADMIN_PASSWORD_FILE: the admin's password is written in this repository \("verysecret"\)/);
  });
});
