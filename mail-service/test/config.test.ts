import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';

describe('mail-service configuration', () => {
  it('when nothing is set, uses the native defaults and the course sender', () => {
    const config = readConfig({});

    expect(config).toMatchObject({
      PORT: 8084,
      MAIL_HOST: 'localhost',
      MAIL_PORT: 1025,
      MAIL_ENCRYPTION: 'none',
      MAIL_DOMAIN: 'localhost',
      FROM_NAME: 'John Smith',
      FROM_ADDRESS: 'john.smith@example.com',
    });
  });

  it("when given the course's compose settings, reads them", () => {
    const config = readConfig({ MAIL_DOMAIN: 'localhost', MAIL_HOST: 'mailhog', MAIL_PORT: '1025', MAIL_ENCRYPTION: 'none', MAIL_USERNAME: '', MAIL_PASSWORD: '' });

    expect(config).toMatchObject({ MAIL_HOST: 'mailhog', MAIL_PORT: 1025, MAIL_ENCRYPTION: 'none', MAIL_USERNAME: '' });
  });

  it('when MAIL_ENCRYPTION is empty, means none', () => {
    expect(readConfig({ MAIL_ENCRYPTION: '' }).MAIL_ENCRYPTION).toBe('none');
  });

  it.each([
    ['MAIL_ENCRYPTION', 'starttls', 'MAIL_ENCRYPTION: expected none, tls or ssl'],
    ['MAIL_PORT', 'smtp', 'MAIL_PORT: expected a port number (1-65535)'],
    ['FROM_ADDRESS', 'John Smith', 'FROM_ADDRESS: expected an email address'],
  ])('when %s is %j, stops start-up naming it', (name, value, message) => {
    expect(() => readConfig({ [name]: value })).toThrow(message);
  });

  describe('with DEPLOY_ENV=production', () => {
    const random = () => randomBytes(32).toString('hex');
    const fit = () => ({ DEPLOY_ENV: 'production', RABBIT_URL: `amqp://go-micro:${random()}@rabbitmq`, DSN: `host=postgres user=postgres password=${random()} dbname=users` });

    it('when every credential is random and MAIL_PASSWORD unset, starts', () => {
      expect(readConfig(fit()).MAIL_PASSWORD).toBe('');
    });

    it.each([
      ['RABBIT_URL', 'amqp://guest:guest@rabbitmq', 'RABBIT_URL: not fit for production: its password is written in this repository ("guest")'],
      ['DSN', 'host=postgres user=postgres password=password dbname=users', 'DSN: not fit for production: its password is written in this repository ("password")'],
      ['MAIL_PASSWORD', 'secret', 'MAIL_PASSWORD: not fit for production: the value is written in this repository ("secret")'],
      ['MAIL_PASSWORD', 'mailpass', 'MAIL_PASSWORD: not fit for production: the value is shorter than 12 characters'],
    ])('when %s is %j, stops start-up naming it and why', (name, value, message) => {
      expect(() => readConfig({ ...fit(), [name]: value })).toThrow(message);
    });
  });
});
