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
});
