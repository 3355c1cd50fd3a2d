import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';

describe('broker-service configuration', () => {
  it("in development, takes the course's RabbitMQ login", () => {
    expect(readConfig({ RABBIT_URL: 'amqp://guest:guest@rabbitmq' }).RABBIT_URL).toBe('amqp://guest:guest@rabbitmq');
  });

  it("with DEPLOY_ENV=production, takes a random RabbitMQ password and stops start-up on the course's guest, or none, naming RABBIT_URL", () => {
    const random = `amqp://go-micro:${randomBytes(32).toString('hex')}@rabbitmq`;
    expect(readConfig({ DEPLOY_ENV: 'production', RABBIT_URL: random }).RABBIT_URL).toBe(random);
    for (const url of ['amqp://guest:guest@rabbitmq', 'amqp://rabbitmq']) {
      expect(() => readConfig({ DEPLOY_ENV: 'production', RABBIT_URL: url }), url).toThrow('RABBIT_URL: not fit for production: its password is written in this repository ("guest"), so anyone can read it');
    }
  });
});
