import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { env, loadConfig, passwordInDsn, passwordInUrl, readableDsn, refuseUnfitCredentials, serviceConfig } from '@go-micro/toolkit';

/** env.milliseconds takes only positive values; this pause may be 0 (refuse at once). */
const pauseError = { error: 'expected milliseconds from 0 to 10000' };

const schema = serviceConfig({
  PORT: env.port(8083),
  /** The course's key=value DSN, or a postgres:// URL. */
  DSN: z
    .string()
    .min(1, { error: 'must not be empty' })
    .default('host=localhost port=5432 user=postgres password=password dbname=users sslmode=disable timezone=UTC connect_timeout=5')
    .refine(readableDsn, { error: 'expected key=value pairs (host=... dbname=...) or a postgres:// URL' }),
  LOGGER_SERVICE_URL: env.url('http://localhost:8082'),
  /** Where user.registered events go (exchange users_topic). */
  RABBIT_URL: env.url('amqp://guest:guest@localhost:5672', ['amqp:', 'amqps:']),
  /** Signs the users API's tokens: 32 characters or more. Required in production; unset in development, a random one per start. */
  TOKEN_SECRET: z
    .string()
    .optional()
    .transform((value) => value || undefined)
    .refine((value) => value === undefined || value.length >= 32, { error: 'must be at least 32 characters' }),
  /** How long a token of the users API is valid. */
  TOKEN_TTL_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(60, { error: 'expected at least 60 seconds' }).max(86_400, { error: 'expected at most 86400 seconds' }).default(900),
  /** How often the outbox publisher looks for events that a sign-up did not hand it directly. */
  OUTBOX_POLL_MS: env.milliseconds(1_000),
  /** production (as the images set it) makes TOKEN_SECRET required. */
  NODE_ENV: z.string().optional(),
  /** The seeded admin's password; in production required (or ADMIN_PASSWORD_FILE), and never the course's. */
  ADMIN_PASSWORD: z.string().optional(),
  /** A file holding it: a Docker secret (/run/secrets/...) or a mounted Kubernetes Secret. */
  ADMIN_PASSWORD_FILE: z.string().optional(),
  /** Login attempts one client address may make per minute, right or wrong, counted before any password is compared. */
  LOGIN_PER_MINUTE: env.count(20, 10_000),
  /** Wrong passwords one email may take from one client address per 15 minutes; more from that address answer 429 (no other address is affected). */
  LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS: env.count(10, 10_000),
  /** Wrong passwords one email may take per 15 minutes from all addresses before addresses that never logged in to it go through its slow lane. */
  LOGIN_SLOW_AFTER_FAILURES: env.count(10, 10_000),
  /** The slow lane: one attempt per this many seconds for the email, from addresses it does not know; 429 with Retry-After beyond it. */
  LOGIN_SLOW_LANE_SECONDS: env.count(2, 3_600),
  /** How long an address that logged in to an account is remembered as its owner's: it skips the slow lane and hashes first. */
  LOGIN_KNOWN_ADDRESS_DAYS: env.count(30, 3_650),
  /** Sign-ups one client address may make per 10 minutes: each mails the address it names. */
  SIGNUP_PER_ADDRESS: env.count(5, 10_000),
  /** Sign-ups all clients together may make per minute, across replicas. */
  SIGNUP_PER_MINUTE: env.count(30, 100_000),
  /** bcrypt hashes computed at once (logins, sign-ups, password resets): one a core by default. */
  BCRYPT_CONCURRENCY: env.count(availableParallelism(), 64),
  /** Logins waiting their turn at most, in each of two lanes (addresses that logged in to the account before go first); one more is answered 503 with Retry-After, after BCRYPT_REFUSAL_PAUSE_MS. About 2 s of work by default. */
  BCRYPT_MAX_WAITING: env.count(availableParallelism() * 8, 10_000),
  /** How long a login may wait for its turn before it is answered 503. */
  BCRYPT_MAX_WAIT_MS: env.milliseconds(2_000),
  /** Sign-ups and password resets hashed at once at most, after every waiting login: half the cores (one at least) by default. */
  BCRYPT_SIGNUP_CONCURRENCY: env.count(Math.max(1, Math.floor(availableParallelism() / 2)), 64),
  /** Sign-ups and password resets waiting their turn at most; one more is answered 503. */
  BCRYPT_SIGNUP_MAX_WAITING: env.count(availableParallelism() * 4, 10_000),
  /** How long a sign-up or password reset may wait for its turn before it is answered 503. */
  BCRYPT_SIGNUP_MAX_WAIT_MS: env.milliseconds(3_000),
  /** How long a login that finds the queue full is held before its 503, so a caller retrying at once retries twice a second, not hundreds of times; 0 answers at once. */
  BCRYPT_REFUSAL_PAUSE_MS: z.coerce.number(pauseError).int(pauseError).min(0, pauseError).max(10_000, pauseError).default(500),
}).superRefine((config, ctx) => {
  if (config.NODE_ENV === 'production' && config.TOKEN_SECRET === undefined) {
    ctx.addIssue({ code: 'custom', path: ['TOKEN_SECRET'], message: 'must be set in production (32 characters or more)' });
  }
  // With DEPLOY_ENV=production, nothing written in the repository and nothing easy to guess (the admin's password: adminPassword()).
  refuseUnfitCredentials(config, ctx, {
    TOKEN_SECRET: { value: config.TOKEN_SECRET, kind: 'key' },
    DSN: { value: passwordInDsn(config.DSN), kind: 'password', part: 'its password' },
    // Without a password in the URL, amqplib logs in as guest.
    RABBIT_URL: { value: passwordInUrl(config.RABBIT_URL, 'guest'), kind: 'password', part: 'its password' },
  });
});

export type Config = z.output<typeof schema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, source);

/** The schema itself, so the deployment checks compare every environment with what this service reads. */
export const configSchema = schema;
