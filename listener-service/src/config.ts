import { z } from 'zod';
import { LOG_QUEUE } from '@go-micro/contracts';
import { env, loadConfig, passwordInUrl, refuseUnfitCredentials, serviceConfig } from '@go-micro/toolkit';

const schema = serviceConfig({
  /** Only the health endpoint listens here. */
  PORT: env.port(8085),
  /** The vhost is the URL's path: amqp://guest:guest@rabbitmq/my-vhost. */
  RABBIT_URL: env.url('amqp://guest:guest@localhost:5672', ['amqp:', 'amqps:']),
  LOGGER_SERVICE_URL: env.url('http://localhost:8082'),
  /** The durable queue every replica consumes; `<name>.retry` and `<name>.dead` go with it. */
  LISTENER_QUEUE: z
    .string()
    .regex(/^[\w.:-]{1,200}$/, { error: 'expected letters, digits or . _ : -' })
    .default(LOG_QUEUE),
  /** How many events one replica works on at once. */
  PREFETCH: env.count(10, 1000),
  /** Tries of one event before it goes to the dead-letter queue. */
  MAX_ATTEMPTS: env.count(10, 100),
  /** Wait before the first retry; it doubles each time, up to RETRY_MAX_DELAY_MS. */
  RETRY_DELAY_MS: env.milliseconds(1_000),
  RETRY_MAX_DELAY_MS: env.milliseconds(60_000),
  LOGGER_TIMEOUT_MS: env.milliseconds(5_000),
  /** A message body larger than this goes to the dead-letter queue unread. */
  MAX_MESSAGE_BYTES: env.count(512 * 1024, 128 * 1024 * 1024),
}).superRefine((config, ctx) => {
  // With DEPLOY_ENV=production, nothing written in the repository and nothing easy to guess; without a password amqplib logs in as guest.
  refuseUnfitCredentials(config, ctx, { RABBIT_URL: { value: passwordInUrl(config.RABBIT_URL, 'guest'), kind: 'password', part: 'its password' } });
});

export type Config = z.output<typeof schema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, source);

/** The schema itself, so the deployment checks compare every environment with what this service reads. */
export const configSchema = schema;
