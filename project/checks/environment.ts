import type { z } from 'zod';
import { configSchema as authSchema } from '../../authentication-service/src/config.js';
import { configSchema as brokerSchema } from '../../broker-service/src/config.js';
import { configSchema as frontEndSchema } from '../../front-end/src/config.js';
import { configSchema as listenerSchema } from '../../listener-service/src/config.js';
import { configSchema as loggerSchema } from '../../logger-service/src/config.js';
import { configSchema as mailSchema } from '../../mail-service/src/config.js';
import type { Deployment, ServiceName } from './deployments.js';

type Schema = z.ZodObject<z.ZodRawShape>;

/** What each service reads: its own config schema, imported from its source. */
export const SCHEMAS: Record<ServiceName, Schema> = {
  'broker-service': brokerSchema as unknown as Schema,
  'authentication-service': authSchema as unknown as Schema,
  'logger-service': loggerSchema as unknown as Schema,
  'listener-service': listenerSchema as unknown as Schema,
  'mailer-service': mailSchema as unknown as Schema,
  'front-end': frontEndSchema as unknown as Schema,
};

/**
 * Variables that hold another thing's address. Their defaults point at localhost (native dev
 * mode), which inside a container is the container itself: every deployment must set them,
 * to the host that runs the target and the port it listens on.
 */
const ADDRESSES: Record<string, { host: string; port: { of: ServiceName; variable: string } | number }> = {
  AUTH_SERVICE_URL: { host: 'authentication-service', port: { of: 'authentication-service', variable: 'PORT' } },
  LOGGER_SERVICE_URL: { host: 'logger-service', port: { of: 'logger-service', variable: 'PORT' } },
  MAIL_SERVICE_URL: { host: 'mailer-service', port: { of: 'mailer-service', variable: 'PORT' } },
  LOGGER_RPC_ADDR: { host: 'logger-service', port: { of: 'logger-service', variable: 'RPC_PORT' } },
  LOGGER_GRPC_ADDR: { host: 'logger-service', port: { of: 'logger-service', variable: 'GRPC_PORT' } },
  RABBIT_URL: { host: 'rabbitmq', port: 5672 },
  MONGO_URL: { host: 'mongo', port: 27017 },
  DSN: { host: 'postgres', port: 5432 },
  MAIL_HOST: { host: 'mailhog', port: 1025 },
};

/** Defaults that name this machine without being an address to reach: checked apart, or not at all. */
const NOT_ADDRESSES = new Set([
  'BROKER_URL', // the browser's way to the broker, compared with the deployment's below
  'MAIL_DOMAIN', // the name the mailer gives itself in EHLO and Message-IDs
  'BIND_ADDR', // where the service listens: checked below, it must not be loopback in a container
  // The page's links, followed by the visitor's browser: localhost is the visitor's machine, where make up publishes them.
  'DASHBOARD_URL',
  'MAIL_UI_URL',
  'PROMETHEUS_URL',
  'TRACES_URL',
]);

export interface EnvironmentCheck {
  deployment: Deployment;
  /** Each service's Dockerfile ENV, which applies under the deployment's own variables. */
  imageEnv: Record<ServiceName, Record<string, string>>;
  /** Where the browser finds the broker in this deployment. */
  brokerUrl: string;
  /** The page's origin in this deployment: the broker must allow it (CORS_ORIGINS). */
  pageOrigin?: string;
  /** Whether a proxy (Caddy, the ingress) stands between browsers and the broker and front end. */
  proxyInFront?: boolean;
  schemas?: Record<ServiceName, Schema>;
}

/** Every way a deployment's environment disagrees with what its services read; empty when they agree. */
export function environmentProblems({ deployment, imageEnv, brokerUrl, pageOrigin, proxyInFront = false, schemas = SCHEMAS }: EnvironmentCheck): string[] {
  const problems: string[] = [];
  const configOf = (name: ServiceName) => {
    const parsed = schemas[name].safeParse({ ...imageEnv[name], ...deployment.hosts[name]?.env });
    return parsed.success ? (parsed.data as Record<string, unknown>) : undefined;
  };

  for (const name of Object.keys(schemas) as ServiceName[]) {
    const at = `${deployment.label}: ${name}`;
    const deployed = deployment.hosts[name];
    if (deployed === undefined) {
      problems.push(`${at}: not deployed`);
      continue;
    }
    const shape = schemas[name].shape;
    const env = { ...imageEnv[name], ...deployed.env };

    for (const variable of Object.keys(deployed.env)) {
      if (!(variable in shape)) problems.push(`${at}: sets ${variable}, which ${name} does not read (misspelled?)`);
    }
    const missing = new Set<string>();
    for (const [variable, field] of Object.entries(shape)) {
      const fallback = (field as z.ZodType).safeParse(undefined);
      if (!fallback.success && env[variable] === undefined) {
        missing.add(variable);
        problems.push(`${at}: needs ${variable}, which is not set`);
      }
      if (fallback.success && pointsAtThisMachine(fallback.data) && !NOT_ADDRESSES.has(variable)) {
        problems.push(...addressProblems(at, variable, env, deployment, configOf));
      }
    }
    const bind = configOf(name)?.BIND_ADDR;
    if (typeof bind === 'string' && /^(127\.|localhost$|::1$)/.test(bind)) {
      problems.push(`${at}: BIND_ADDR is ${bind}, so nothing outside its container can reach it (the images set 0.0.0.0)`);
    }
    const parsed = schemas[name].safeParse(env);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        if (!missing.has(String(issue.path[0]))) problems.push(`${at}: ${issue.path.join('.')}: ${issue.message}`);
      }
    }
  }

  const broker = pageOrigin === undefined ? undefined : configOf('broker-service');
  if (broker && !(broker.CORS_ORIGINS as string[] | undefined)?.includes(pageOrigin!)) {
    problems.push(`${deployment.label}: broker-service: CORS_ORIGINS does not allow the page's origin ${pageOrigin}, so the browser may not read the broker's replies`);
  }
  problems.push(...trustProblems(deployment.label, proxyInFront, configOf));
  const pageBroker = deployment.hosts['front-end']?.env.BROKER_URL;
  if (pageBroker !== undefined && pageBroker.replace(/\/+$/, '') !== brokerUrl) {
    problems.push(`${deployment.label}: front-end: BROKER_URL is ${pageBroker}, but the browser reaches the broker at ${brokerUrl}`);
  }
  return problems;
}

/**
 * Whose X-Forwarded-For the services browsers reach believe (TRUST_PROXY). Reached directly, nobody's:
 * a client could name any address and escape the per-client limits. Behind a proxy, the proxy's:
 * else every client is seen as the proxy, and all share one client's limits. Never anybody's.
 */
function trustProblems(label: string, proxyInFront: boolean, configOf: (name: ServiceName) => Record<string, unknown> | undefined): string[] {
  const problems: string[] = [];
  for (const name of ['broker-service', 'front-end'] as const) {
    const trust = configOf(name)?.TRUST_PROXY;
    if (trust === undefined) continue;
    if (trust === true) problems.push(`${label}: ${name}: TRUST_PROXY is true, so any client may name its own address in X-Forwarded-For`);
    else if (proxyInFront && trust === false) problems.push(`${label}: ${name}: TRUST_PROXY is false behind a proxy, so every client is seen as the proxy`);
    else if (!proxyInFront && trust !== false) problems.push(`${label}: ${name}: TRUST_PROXY is ${String(trust)}, but browsers reach it directly, so a client may name its own address`);
  }
  return problems;
}

function addressProblems(
  at: string,
  variable: string,
  env: Record<string, string | undefined>,
  deployment: Deployment,
  configOf: (name: ServiceName) => Record<string, unknown> | undefined,
): string[] {
  const value = env[variable];
  const rule = ADDRESSES[variable];
  if (rule === undefined) return [`${at}: ${variable} defaults to this machine; add it to ADDRESSES in project/checks/environment.ts`];
  if (value === undefined) return [`${at}: ${variable} is not set, so in a container it would point at the container itself`];

  const address = parseAddress(variable, value, env);
  if (address === undefined) return [`${at}: ${variable}=${value} is not an address`];
  if (address.host !== rule.host) return [`${at}: ${variable} points at ${address.host}; expected ${rule.host}`];
  const target = deployment.hosts[rule.host];
  if (target === undefined) return [`${at}: ${variable} points at ${rule.host}, which this deployment does not run`];

  const targetConfig = typeof rule.port === 'number' ? undefined : configOf(rule.port.of);
  // A target whose own variables are invalid is reported on its own; its port is unknown.
  if (typeof rule.port !== 'number' && targetConfig === undefined) return [];
  const listening = typeof rule.port === 'number' ? rule.port : Number(targetConfig?.[rule.port.variable]);
  const reached = target.containerPortFor(address.port);
  if (reached !== listening) {
    return [`${at}: ${variable} dials ${rule.host}:${address.port}, which reaches port ${reached ?? 'none'}; ${rule.host} listens on ${listening}`];
  }
  return [];
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'amqp:': 5672, 'amqps:': 5671, 'mongodb:': 27017, 'postgres:': 5432, 'postgresql:': 5432 };

/** host and port of an address in any of the forms the services accept. */
export function parseAddress(variable: string, value: string, env: Record<string, string | undefined>): { host: string; port: number } | undefined {
  if (variable === 'MAIL_HOST') return { host: value, port: Number(env.MAIL_PORT ?? 1025) };
  if (variable === 'DSN' && !value.includes('://')) {
    const pairs = Object.fromEntries(value.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string]));
    return pairs.host ? { host: pairs.host, port: Number(pairs.port ?? 5432) } : undefined;
  }
  const hostPort = /^([\w.-]+):(\d+)$/.exec(value);
  if (hostPort) return { host: hostPort[1]!, port: Number(hostPort[2]) };
  try {
    const url = new URL(value);
    return { host: url.hostname, port: url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0) };
  } catch {
    return undefined;
  }
}

function pointsAtThisMachine(value: unknown): boolean {
  return typeof value === 'string' && /localhost|127\.0\.0\.1/.test(value);
}
