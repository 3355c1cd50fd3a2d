import { z } from 'zod';
import { env, loadConfig, serviceConfig } from '@go-micro/toolkit';

/** A link the page shows: an http(s) URL, or empty to leave the link out (where that tool is not reachable). */
const link = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((value) => value === '' || /^https?:\/\/[^\s/]+/.test(value), { error: 'expected a URL starting with http:// or https://, or nothing' });

const schema = serviceConfig({
  PORT: env.port(8081),
  /** Where the browser finds the broker; behind Caddy in swarm this is http://backend. */
  BROKER_URL: env.url('http://localhost:8080'),
  /** The page's link to the logger's admin dashboard (published on 8082 by make up and make dev); empty hides it. */
  DASHBOARD_URL: link('http://localhost:8082/admin/dashboard'),
  /** The page's link to the mail catcher's web UI; empty hides it. */
  MAIL_UI_URL: link('http://localhost:8025'),
  /** The page's link to Prometheus (make up with the observability profile, or make dev); empty hides it. */
  PROMETHEUS_URL: link('http://localhost:9090'),
  /** Jaeger's query API, for the page's links to the latest traces and to each reply's trace; empty hides them. */
  TRACES_URL: link('http://localhost:16686'),
  /** Browsers reach it directly: it believes no X-Forwarded-For unless its deployment names the proxy in front. */
  TRUST_PROXY: env.trustProxy('false'),
});

export type Config = z.output<typeof schema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, source);

/** The schema itself, so the deployment checks compare every environment with what this service reads. */
export const configSchema = schema;
