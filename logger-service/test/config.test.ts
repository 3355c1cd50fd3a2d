import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';
import { createMongoClient } from '../src/mongo-client.js';

describe('logger-service configuration', () => {
  it('when nothing is set, uses the native dev defaults', () => {
    const config = readConfig({});

    expect(config).toMatchObject({ PORT: 8082, RPC_PORT: 5001, GRPC_PORT: 50001, MONGO_URL: 'mongodb://localhost:27017' });
    expect(config.MONGO_USERNAME).toBeUndefined();
  });

  it('when MONGO_URL is not a MongoDB URL, stops start-up naming it', () => {
    expect(() => readConfig({ MONGO_URL: 'http://mongo' })).toThrow(/MONGO_URL: expected a URL starting with mongodb:\/\//);
  });

  it('when MONGO_URL names a replica set, accepts it', () => {
    expect(readConfig({ MONGO_URL: 'mongodb://a:27017,b:27017/?replicaSet=rs0' }).MONGO_URL).toContain('a:27017,b:27017');
  });

  it('when MONGO_USERNAME and MONGO_PASSWORD are set, as compose sets them, the client logs in with them', () => {
    const config = readConfig({ MONGO_URL: 'mongodb://mongo:27017', MONGO_USERNAME: 'admin', MONGO_PASSWORD: 'password' });

    const client = createMongoClient(config);

    expect(client.options.credentials).toMatchObject({ username: 'admin', password: 'password' });
  });

  it('when the credentials are in the URL instead, the client uses those', () => {
    const client = createMongoClient(readConfig({ MONGO_URL: 'mongodb://admin:password@mongo:27017', MONGO_USERNAME: '' }));

    expect(client.options.credentials).toMatchObject({ username: 'admin', password: 'password' });
  });

  it('when NODE_ENV is production, as in the images, and SESSION_SECRET is unset, stops start-up naming it', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow('SESSION_SECRET: must be set in production (32 characters or more)');
    expect(readConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32) }).SESSION_SECRET).toBe('s'.repeat(32));
  });

  it('with DEPLOY_ENV=production, stops start-up naming a session secret or MongoDB password written in the repository', () => {
    const fit = { DEPLOY_ENV: 'production', SESSION_SECRET: randomBytes(32).toString('hex'), MONGO_USERNAME: 'admin', MONGO_PASSWORD: randomBytes(32).toString('hex') };
    expect(readConfig(fit).DEPLOY_ENV).toBe('production');
    expect(() => readConfig({ ...fit, SESSION_SECRET: 'dev-only-session-secret-change-me-in-production' })).toThrow(
      'SESSION_SECRET: not fit for production: the value is written in this repository ("dev-only-session-secret-change-me-in-production")',
    );
    expect(() => readConfig({ ...fit, MONGO_PASSWORD: 'password' })).toThrow('MONGO_PASSWORD: not fit for production: the value is written in this repository ("password")');
    expect(() => readConfig({ ...fit, MONGO_PASSWORD: undefined, MONGO_URL: 'mongodb://admin:password@mongo:27017' })).toThrow('MONGO_URL: not fit for production: its password');
    // Development keeps compose's admin/password.
    expect(readConfig({ MONGO_USERNAME: 'admin', MONGO_PASSWORD: 'password' }).MONGO_PASSWORD).toBe('password');
  });
});
