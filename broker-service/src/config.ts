import { z } from 'zod';
import { env, loadConfig, passwordInUrl, refuseUnfitCredentials, serviceConfig } from '@go-micro/toolkit';

const schema = serviceConfig({
  PORT: env.port(8080),
  AUTH_SERVICE_URL: env.url('http://localhost:8083'),
  LOGGER_SERVICE_URL: env.url('http://localhost:8082'),
  MAIL_SERVICE_URL: env.url('http://localhost:8084'),
  /** The logger's JSON-RPC server, as the course dialled it: host:port. */
  LOGGER_RPC_ADDR: env.hostPort('localhost:5001'),
  LOGGER_GRPC_ADDR: env.hostPort('localhost:50001'),
  RABBIT_URL: env.url('amqp://guest:guest@localhost:5672', ['amqp:', 'amqps:']),
  /** How long any call to another service may take before the broker answers 504. */
  UPSTREAM_TIMEOUT_MS: env.milliseconds(5_000),
  /**
   * Calls in flight to one dependency at most (logger-service by any transport, authentication-service,
   * mail-service, RabbitMQ); one more answers 503 "<service> is busy" at once. As many as the broker's
   * client keeps connections to one service; four dependencies then hold at most a quarter of MAX_CONNECTIONS.
   */
  UPSTREAM_MAX_IN_FLIGHT: env.count(64, 10_000),
  /** Browsers reach the broker directly: it believes no X-Forwarded-For unless its deployment names the proxy in front. */
  TRUST_PROXY: env.trustProxy('false'),
  /** Origins of the pages that may call the broker from a browser, comma-separated: the test page's by default. */
  CORS_ORIGINS: env
    .list('http://localhost:8081,http://127.0.0.1:8081')
    .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)), { error: 'expected origins like http://localhost:8081, comma-separated' }),
  /** Mails one client address may have sent through the mail action per minute, per broker replica. */
  MAIL_PER_MINUTE: env.count(10, 100_000),
  /** Where logs.proto is; by default the one in the contracts package. */
  PROTO_PATH: z
    .string()
    .optional()
    .transform((value) => value || undefined),
}).superRefine((config, ctx) => {
  // With DEPLOY_ENV=production, nothing written in the repository and nothing easy to guess; without a password amqplib logs in as guest.
  refuseUnfitCredentials(config, ctx, { RABBIT_URL: { value: passwordInUrl(config.RABBIT_URL, 'guest'), kind: 'password', part: 'its password' } });
});

export type Config = z.output<typeof schema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, source);

/** The schema itself, so the deployment checks compare every environment with what this service reads. */
export const configSchema = schema;
