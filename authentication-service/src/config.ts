import { z } from 'zod';
import { env, loadConfig, serviceConfig } from '@go-micro/toolkit';
import { poolConfigFromDsn } from './dsn.js';

function readable(dsn: string): boolean {
  try {
    poolConfigFromDsn(dsn);
    return true;
  } catch {
    return false;
  }
}

const schema = serviceConfig({
  PORT: env.port(8083),
  /** The course's key=value DSN, or a postgres:// URL. */
  DSN: z
    .string()
    .min(1, { error: 'must not be empty' })
    .default('host=localhost port=5432 user=postgres password=password dbname=users sslmode=disable timezone=UTC connect_timeout=5')
    .refine(readable, { error: 'expected key=value pairs (host=... dbname=...) or a postgres:// URL' }),
  LOGGER_SERVICE_URL: env.url('http://localhost:8082'),
  /** The seeded admin's password; in production required (or ADMIN_PASSWORD_FILE), and never the course's. */
  ADMIN_PASSWORD: z.string().optional(),
  /** A file holding it: a Docker secret (/run/secrets/...) or a mounted Kubernetes Secret. */
  ADMIN_PASSWORD_FILE: z.string().optional(),
  /** Login attempts one client address may make per minute. */
  LOGIN_PER_MINUTE: env.count(20, 10_000),
  /** Wrong passwords one email may take per 15 minutes, from any address. */
  LOGIN_FAILURES_PER_EMAIL: env.count(10, 10_000),
});

export type Config = z.output<typeof schema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, source);

/** The schema itself, so the deployment checks compare every environment with what this service reads. */
export const configSchema = schema;
