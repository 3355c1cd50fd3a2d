import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';

describe('authentication-service configuration', () => {
  it('when TOKEN_SECRET is unset outside production, starts (with a random secret, chosen in main)', () => {
    expect(readConfig({}).TOKEN_SECRET).toBeUndefined();
  });

  it('when NODE_ENV is production, as in the images, and TOKEN_SECRET is unset, stops start-up naming it', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow('TOKEN_SECRET: must be set in production (32 characters or more)');
  });

  it('when TOKEN_SECRET is shorter than 32 characters, stops start-up naming it', () => {
    expect(() => readConfig({ TOKEN_SECRET: 'short' })).toThrow('TOKEN_SECRET: must be at least 32 characters');
  });

  it('reads RABBIT_URL, TOKEN_TTL_SECONDS and OUTBOX_POLL_MS with their defaults', () => {
    expect(readConfig({ TOKEN_SECRET: 'x'.repeat(32) })).toMatchObject({
      RABBIT_URL: 'amqp://guest:guest@localhost:5672',
      TOKEN_TTL_SECONDS: 900,
      OUTBOX_POLL_MS: 1000,
    });
  });

  it('holds a refused login half a second by default, takes 0 for at once, and stops start-up on a pause that is not milliseconds', () => {
    expect(readConfig({}).BCRYPT_REFUSAL_PAUSE_MS).toBe(500);
    expect(readConfig({ BCRYPT_REFUSAL_PAUSE_MS: '0' }).BCRYPT_REFUSAL_PAUSE_MS).toBe(0);
    expect(() => readConfig({ BCRYPT_REFUSAL_PAUSE_MS: '-1' })).toThrow('BCRYPT_REFUSAL_PAUSE_MS: expected milliseconds from 0 to 10000');
    expect(() => readConfig({ BCRYPT_REFUSAL_PAUSE_MS: 'soon' })).toThrow('BCRYPT_REFUSAL_PAUSE_MS: expected milliseconds from 0 to 10000');
  });

  describe('with DEPLOY_ENV=production', () => {
    const random = () => randomBytes(32).toString('hex');
    const fit = () => ({
      DEPLOY_ENV: 'production',
      TOKEN_SECRET: random(),
      DSN: `host=postgres user=postgres password=${random()} dbname=users`,
      RABBIT_URL: `amqp://go-micro:${random()}@rabbitmq`,
    });

    it('when every credential is random, starts', () => {
      expect(readConfig(fit()).DEPLOY_ENV).toBe('production');
    });

    it("when TOKEN_SECRET is the old Kubernetes Secret's, stops start-up naming it and why", () => {
      expect(() => readConfig({ ...fit(), TOKEN_SECRET: 'dev-only-token-secret-change-me-in-production' })).toThrow(
        'invalid configuration: TOKEN_SECRET: not fit for production: the value is written in this repository ("dev-only-token-secret-change-me-in-production"), so anyone can read it',
      );
      expect(() => readConfig({ ...fit(), TOKEN_SECRET: 'k'.repeat(40) })).toThrow('TOKEN_SECRET: not fit for production: the value has only 1 different characters; at least 10');
    });

    it("when the DSN or RABBIT_URL carries the course's password, or none (amqplib then logs in as guest), stops start-up naming it", () => {
      expect(() => readConfig({ ...fit(), DSN: 'host=postgres port=5432 user=postgres password=password dbname=users' })).toThrow(
        'DSN: not fit for production: its password is written in this repository ("password"), so anyone can read it',
      );
      expect(() => readConfig({ ...fit(), DSN: 'postgres://postgres:password@postgres/users' })).toThrow('DSN: not fit for production: its password');
      expect(() => readConfig({ ...fit(), RABBIT_URL: 'amqp://guest:guest@rabbitmq' })).toThrow('RABBIT_URL: not fit for production: its password is written in this repository ("guest")');
      expect(() => readConfig({ ...fit(), RABBIT_URL: 'amqp://rabbitmq' })).toThrow('RABBIT_URL: not fit for production: its password is written in this repository ("guest")');
    });

    it('when the DSN has no password (trust or a client certificate), leaves it to Postgres', () => {
      expect(readConfig({ ...fit(), DSN: 'postgres://postgres@127.0.0.1/users' }).DSN).toBe('postgres://postgres@127.0.0.1/users');
    });
  });

  it("in development, takes the course's values as compose sets them", () => {
    expect(
      readConfig({
        TOKEN_SECRET: 'dev-only-token-secret-change-me-in-production',
        DSN: 'host=postgres port=5432 user=postgres password=password dbname=users sslmode=disable timezone=UTC connect_timeout=5',
        RABBIT_URL: 'amqp://guest:guest@rabbitmq',
      }).DEPLOY_ENV,
    ).toBe('development');
  });
});
