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
});
