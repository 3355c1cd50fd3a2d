import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, refuseUnfitCredentials, serviceConfig } from '../src/config.js';
import { KNOWN_VALUES, passwordInDsn, passwordInUrl, unfitForProduction } from '../src/secrets.js';

const randomKey = () => randomBytes(32).toString('hex');

describe('unfitForProduction', () => {
  it('when a value is written in the repository, in any case or with digits added, says so and quotes the known value', () => {
    for (const value of KNOWN_VALUES) expect(unfitForProduction(value, 'key'), value).toMatch(/^is written in this repository/);
    expect(unfitForProduction('dev-only-token-secret-change-me-in-production', 'key')).toBe(
      'is written in this repository ("dev-only-token-secret-change-me-in-production"), so anyone can read it',
    );
    expect(unfitForProduction('Verysecret123!', 'password')).toBe('is written in this repository ("verysecret"), so anyone can read it');
    expect(unfitForProduction('x-dev-only-session-secret-change-me-in-production-2', 'key')).toMatch(/^is written in this repository/);
  });

  it('when a value is short, uniform, a run or a repeated part, says which', () => {
    expect(unfitForProduction('Tr0ub4dor&3', 'password')).toBe('is shorter than 12 characters');
    expect(unfitForProduction(randomBytes(12).toString('hex'), 'key')).toBe('is shorter than 32 characters');
    expect(unfitForProduction('aaaaaaaaaaab', 'password')).toBe('has only 2 different characters; at least 6');
    expect(unfitForProduction('abcdefghijklmnop', 'password')).toMatch(/^repeats a pattern/);
    expect(unfitForProduction('Xy7#kQXy7#kQXy7#kQ', 'password')).toMatch(/^repeats a pattern/);
    expect(unfitForProduction('0123456789abcdefghijklmnopqrstuvwxyz', 'key')).toMatch(/^repeats a pattern/);
  });

  it('when a value draws on too few kinds of characters for its length, gives the estimate and the bar', () => {
    expect(unfitForProduction('739182645029', 'password')).toBe('is too easy to guess: about 39 bits by its length and kinds of characters; at least 50');
    expect(unfitForProduction('84920571638201947365019283746501', 'key')).toMatch(/^is too easy to guess: about 106 bits .*; at least 128$/);
  });

  it('when a value is random (what create-secrets.sh makes) or a long passphrase, finds nothing against it', () => {
    for (let i = 0; i < 50; i++) expect(unfitForProduction(randomKey(), 'key')).toBeUndefined();
    expect(unfitForProduction(randomBytes(24).toString('base64url'), 'key')).toBeUndefined();
    expect(unfitForProduction('correct horse battery staple', 'password')).toBeUndefined();
    // A person's password is held to a lower bar than a key.
    expect(unfitForProduction('correct horse battery staple', 'key')).toBe('is shorter than 32 characters');
  });
});

describe('where a credential sits in a variable', () => {
  it('reads the password of a URL, decoded, and falls back when it has none', () => {
    expect(passwordInUrl('amqp://go-micro:p%40ss@rabbitmq')).toBe('p@ss');
    expect(passwordInUrl('amqp://rabbitmq', 'guest')).toBe('guest');
    expect(passwordInUrl('mongodb://mongo:27017')).toBeUndefined();
  });

  it('reads the password of a DSN in both forms', () => {
    expect(passwordInDsn('host=postgres user=postgres password=password dbname=users')).toBe('password');
    expect(passwordInDsn("host=postgres password='a b' dbname=users")).toBe('a b');
    expect(passwordInDsn('postgres://postgres:s3cr%2Ft@postgres/users')).toBe('s3cr/t');
    expect(passwordInDsn('postgres://postgres@127.0.0.1/users')).toBeUndefined();
  });
});

describe('refuseUnfitCredentials', () => {
  const schema = serviceConfig({ TOKEN_SECRET: z.string().optional(), RABBIT_URL: z.string().default('amqp://guest:guest@localhost') }).superRefine((config, ctx) =>
    refuseUnfitCredentials(config, ctx, {
      TOKEN_SECRET: { value: config.TOKEN_SECRET, kind: 'key' },
      RABBIT_URL: { value: passwordInUrl(config.RABBIT_URL, 'guest'), kind: 'password', part: 'its password' },
    }),
  );

  it('in production, names each unfit variable and why, in one message', () => {
    expect(() => loadConfig(schema, { DEPLOY_ENV: 'production', TOKEN_SECRET: 'dev-only-token-secret-change-me-in-production' })).toThrow(
      'invalid configuration: TOKEN_SECRET: not fit for production: the value is written in this repository ("dev-only-token-secret-change-me-in-production"), so anyone can read it; ' +
        'RABBIT_URL: not fit for production: its password is written in this repository ("guest"), so anyone can read it',
    );
  });

  it('in production, takes random values and leaves unset ones to the service', () => {
    const config = loadConfig(schema, { DEPLOY_ENV: 'production', RABBIT_URL: `amqp://go-micro:${randomKey()}@rabbitmq` });
    expect(config.TOKEN_SECRET).toBeUndefined();
  });

  it("in development, takes the course's values", () => {
    expect(loadConfig(schema, { TOKEN_SECRET: 'dev-only-token-secret-change-me-in-production' }).RABBIT_URL).toBe('amqp://guest:guest@localhost');
  });
});
