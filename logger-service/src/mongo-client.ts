import { MongoClient } from 'mongodb';
import type { Config } from './config.js';

/**
 * One client for the life of the process; the driver pools and reconnects by
 * itself. Short timeouts turn "MongoDB is down or stuck" into a prompt error
 * instead of a request that hangs.
 */
export function createMongoClient(config: Pick<Config, 'MONGO_URL' | 'MONGO_USERNAME' | 'MONGO_PASSWORD' | 'MONGO_TIMEOUT_MS'>): MongoClient {
  const timeoutMs = config.MONGO_TIMEOUT_MS;
  return new MongoClient(config.MONGO_URL, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs * 2,
    maxPoolSize: 20,
    appName: 'logger-service',
    ...(config.MONGO_USERNAME ? { auth: { username: config.MONGO_USERNAME, password: config.MONGO_PASSWORD ?? '' } } : {}),
  });
}
