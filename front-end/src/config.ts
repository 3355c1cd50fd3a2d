import { z } from 'zod';
import { env, loadConfig, serviceConfig } from '@go-micro/toolkit';

const schema = serviceConfig({
  PORT: env.port(8081),
  /** Where the browser finds the broker; behind Caddy in swarm this is http://backend. */
  BROKER_URL: env.url('http://localhost:8080'),
  /** Browsers reach it directly: it believes no X-Forwarded-For unless its deployment names the proxy in front. */
  TRUST_PROXY: env.trustProxy('false'),
});

export type Config = z.output<typeof schema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, source);

/** The schema itself, so the deployment checks compare every environment with what this service reads. */
export const configSchema = schema;
