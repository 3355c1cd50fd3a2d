import { z } from 'zod';
import { WELCOME_QUEUE } from '@go-micro/contracts';
import { env, loadConfig, passwordInDsn, passwordInUrl, readableDsn, refuseUnfitCredentials, serviceConfig } from '@go-micro/toolkit';

const schema = serviceConfig({
  PORT: env.port(8084),
  /** The domain this service sends mail as: its EHLO name and the right-hand side of Message-IDs. */
  MAIL_DOMAIN: z
    .string()
    .trim()
    .default('localhost')
    .transform((value) => value || 'localhost')
    .refine((value) => /^[a-z0-9.-]+$/i.test(value), { error: 'expected a domain name' }),
  MAIL_HOST: z.string().trim().min(1, { error: 'must not be empty' }).default('localhost'),
  MAIL_PORT: env.port(1025),
  /** As the course: none, tls (STARTTLS) or ssl (TLS from the first byte); empty means none. */
  MAIL_ENCRYPTION: z
    .enum(['none', 'tls', 'ssl', ''], { error: 'expected none, tls or ssl' })
    .default('none')
    .transform((value) => value || 'none'),
  MAIL_USERNAME: z.string().default(''),
  MAIL_PASSWORD: z.string().default(''),
  FROM_NAME: z.string().default('John Smith'),
  FROM_ADDRESS: z.email({ error: 'expected an email address' }).default('john.smith@example.com'),
  /** Who may be named as the sender, comma-separated addresses or @domains; unset: FROM_ADDRESS, and me@example.com in development. */
  MAIL_ALLOWED_FROM: z
    .string()
    .optional()
    .transform((value) => value?.split(',').map((entry) => entry.trim()).filter(Boolean))
    .refine((entries) => !entries || entries.every((entry) => /^[^\s@,]*@[^\s@,]+$/.test(entry)), { error: 'expected addresses or @domains, comma-separated' }),
  /** Mails this service sends per minute at most, whoever asks: it keeps a flood from burning the relay's reputation. */
  MAIL_MAX_PER_MINUTE: env.count(60, 100_000),
  /** How long one send may take, connecting included; under the broker's 5 s so the broker passes on our answer. */
  MAIL_TIMEOUT_MS: env.milliseconds(4_000),
  /** SMTP connections kept open to the mail server at most; sends beyond them wait their turn (within MAIL_TIMEOUT_MS). */
  MAIL_MAX_CONNECTIONS: env.count(20, 1000),
  /** Where user.registered events come from (exchange users_topic), to be welcomed. */
  RABBIT_URL: env.url('amqp://guest:guest@localhost:5672', ['amqp:', 'amqps:']),
  /** The durable queue of sign-ups to welcome; `<name>.retry` and `<name>.dead` go with it. */
  WELCOME_QUEUE: z
    .string()
    .regex(/^[\w.:-]{1,200}$/, { error: 'expected letters, digits or . _ : -' })
    .default(WELCOME_QUEUE),
  /** The mail service's table of welcomed events, in Postgres: the course's key=value DSN, or a postgres:// URL. */
  DSN: z
    .string()
    .min(1, { error: 'must not be empty' })
    .default('host=localhost port=5432 user=postgres password=password dbname=users sslmode=disable timezone=UTC connect_timeout=5')
    .refine(readableDsn, { error: 'expected key=value pairs (host=... dbname=...) or a postgres:// URL' }),
  /** Tries of one welcome mail before it goes to the dead-letter queue; with the defaults, about an hour and a half. */
  MAX_ATTEMPTS: env.count(100, 1000),
  /** Wait before the first retry; it doubles each time, up to RETRY_MAX_DELAY_MS. */
  RETRY_DELAY_MS: env.milliseconds(1_000),
  RETRY_MAX_DELAY_MS: env.milliseconds(60_000),
}).superRefine((config, ctx) => {
  // With DEPLOY_ENV=production, nothing written in the repository and nothing easy to guess; without a password amqplib logs in as guest.
  refuseUnfitCredentials(config, ctx, {
    MAIL_PASSWORD: { value: config.MAIL_PASSWORD, kind: 'password' },
    RABBIT_URL: { value: passwordInUrl(config.RABBIT_URL, 'guest'), kind: 'password', part: 'its password' },
    DSN: { value: passwordInDsn(config.DSN), kind: 'password', part: 'its password' },
  });
});

export type Config = z.output<typeof schema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, source);

/** The schema itself, so the deployment checks compare every environment with what this service reads. */
export const configSchema = schema;
