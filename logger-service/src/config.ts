import { z } from 'zod';
import { env, loadConfig, passwordInUrl, refuseUnfitCredentials, serviceConfig } from '@go-micro/toolkit';

/** Unset and empty mean the same: no value. */
const optionalText = () =>
  z
    .string()
    .optional()
    .transform((value) => value || undefined);

const schema = serviceConfig({
  PORT: env.port(8082),
  /** JSON-RPC over TCP, the way the course's broker called the logger. */
  RPC_PORT: env.port(5001),
  GRPC_PORT: env.port(50001),
  /** Credentials may sit in the URL or come apart in MONGO_USERNAME / MONGO_PASSWORD (compose: admin / password). */
  MONGO_URL: z
    .string()
    .default('mongodb://localhost:27017')
    // Not a WHATWG URL check: a replica set's mongodb://a:27017,b:27017 is valid here; the driver reads the rest.
    .refine((value) => /^mongodb(\+srv)?:\/\/\S+$/.test(value), { error: 'expected a URL starting with mongodb:// or mongodb+srv://' }),
  MONGO_USERNAME: optionalText(),
  MONGO_PASSWORD: optionalText(),
  /** How long to look for MongoDB before a request answers "MongoDB is unavailable". */
  MONGO_TIMEOUT_MS: env.milliseconds(2_000),
  /** Where logs.proto is; by default the one in the contracts package. */
  PROTO_PATH: optionalText(),
  /** The dashboard's logins are checked by the authentication service (POST /token). */
  AUTH_SERVICE_URL: env.url('http://localhost:8083'),
  /** Signs the dashboard's session cookie: 32 characters or more. Required in production; unset in development, a random one per start. */
  SESSION_SECRET: optionalText().refine((value) => value === undefined || value.length >= 32, { error: 'must be at least 32 characters' }),
  /** Send the dashboard's cookie over HTTPS only: set it when a TLS proxy is in front. */
  SECURE_COOKIE: env.optionalBoolean(),
  /** Browsers reach the dashboard directly: it believes no X-Forwarded-For unless its deployment names the proxy in front. */
  TRUST_PROXY: env.trustProxy('false'),
  /** production (as the images set it) makes SESSION_SECRET required. */
  NODE_ENV: z.string().optional(),
}).superRefine((config, ctx) => {
  if (config.NODE_ENV === 'production' && config.SESSION_SECRET === undefined) {
    ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'must be set in production (32 characters or more)' });
  }
  // With DEPLOY_ENV=production, nothing written in the repository and nothing easy to guess.
  refuseUnfitCredentials(config, ctx, {
    SESSION_SECRET: { value: config.SESSION_SECRET, kind: 'key' },
    MONGO_PASSWORD: { value: config.MONGO_PASSWORD, kind: 'password' },
    MONGO_URL: { value: passwordInUrl(config.MONGO_URL), kind: 'password', part: 'its password' },
  });
});

export type Config = z.output<typeof schema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, source);

/** The schema itself, so the deployment checks compare every environment with what this service reads. */
export const configSchema = schema;
