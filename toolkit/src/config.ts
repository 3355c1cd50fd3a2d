import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { unfitForProduction, type CredentialKind } from './secrets.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once at start-up. A bad value stops the service with
 * a message naming the variable: "PORT: expected a port number (1-65535)".
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** Reusable field schemas for the environment. */
export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ error: 'expected a port number (1-65535)' })
      .int({ error: 'expected a port number (1-65535)' })
      .min(1, { error: 'expected a port number (1-65535)' })
      .max(65535, { error: 'expected a port number (1-65535)' })
      .default(fallback),
  url: (fallback: string, protocols: string[] = ['http:', 'https:']) =>
    z
      .string()
      .default(fallback)
      .refine(
        (value) => {
          try {
            return protocols.includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
        { error: `expected a URL starting with ${protocols.join(' or ')}//` },
      ),
  /** host:port, as the course wrote its RPC and gRPC addresses. */
  hostPort: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((value) => /^[\w.-]+:\d{1,5}$/.test(value), { error: 'expected host:port' }),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** "true"/"false"/"1"/"0", or unset for "decide by yourself". */
  optionalBoolean: () =>
    z
      .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
      .optional()
      .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1')),
  milliseconds: (fallback: number) =>
    z.coerce.number({ error: 'expected milliseconds' }).int().positive({ error: 'expected milliseconds' }).default(fallback),
  /** A whole number from 1 to `max`. */
  count: (fallback: number, max: number) => {
    const error = `expected a whole number from 1 to ${max}`;
    return z.coerce.number({ error }).int({ error }).min(1, { error }).max(max, { error }).default(fallback);
  },
  /**
   * Whose X-Forwarded-For a service believes, in Express's `trust proxy` syntax: `false` (nobody's),
   * `true` (anybody's), a number of hops, or addresses, subnets and the names loopback, linklocal
   * and uniquelocal, comma-separated. Checked here with proxy-addr, the parser Express uses.
   */
  trustProxy: (fallback: string) =>
    z
      .string()
      .trim()
      .default(fallback)
      .refine((value) => trustProxyValue(value) !== undefined, {
        error: 'expected false, true, a number of hops, or addresses, subnets, loopback, linklocal or uniquelocal, comma-separated',
      })
      .transform((value) => trustProxyValue(value)!),
  /** A comma-separated list; blanks around items are dropped, and so are empty items. */
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
};

/**
 * An open connection costs a service little memory, so the limit can be generous: it bounds memory
 * and descriptors, while the shedding at the limit (connection-admission.ts) keeps it fair.
 */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** This machine and the private networks, in Express's names: where the internal services' callers are. */
export const PRIVATE_NETWORKS = 'loopback, linklocal, uniquelocal';

/** What Express's `trust proxy` setting takes: nobody or anybody, a number of hops, or addresses. */
export type TrustProxy = boolean | number | string;

function trustProxyValue(value: string): TrustProxy | undefined {
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  try {
    proxyAddr.compile(value.split(',').map((item) => item.trim()));
    return value;
  } catch {
    return undefined;
  }
}

/** Set to `production` only by the production deployment files; it turns on the checks a real deployment needs. */
export type DeployEnv = 'development' | 'production';

/** What every service reads: how much to log, and whether as JSON lines or for a person. */
export const commonConfig = {
  LOG_LEVEL: env.logLevel(),
  /** Human-readable lines instead of JSON; unset means "when stdout is a terminal". */
  LOG_PRETTY: env.optionalBoolean(),
  /** The address every port of the service binds: loopback natively, 0.0.0.0 in the images. */
  BIND_ADDR: z
    .string()
    .trim()
    .default('127.0.0.1')
    .refine((value) => /^[\w.:-]+$/.test(value), { error: 'expected an IP address or a host name' }),
  /**
   * Connections one HTTP port keeps at once. At the limit a new one takes the place of an idle or a
   * slow one, and is refused only when every other is busy with a request (connection-admission.ts).
   */
  MAX_CONNECTIONS: env.count(DEFAULT_MAX_CONNECTIONS, 100_000),
  /**
   * Whose X-Forwarded-For to believe (env.trustProxy). By default a caller on this machine or a
   * private network: the broker passes its client's address on to the services it calls. The
   * services a browser reaches directly (broker, front end, the logger's dashboard) believe nobody
   * unless their deployment names the proxy in front.
   */
  TRUST_PROXY: env.trustProxy(PRIVATE_NETWORKS),
  /**
   * `production` only in swarm.production.yml and project/k8s, never from NODE_ENV (every image
   * sets that): a service then refuses the course's known defaults (the admin's password, the page's sender).
   */
  DEPLOY_ENV: z.enum(['development', 'production'], { error: 'expected development or production' }).default('development'),
  /**
   * OpenTelemetry's standard variables, read by tracing.ts (startTracing): the collector's OTLP/HTTP
   * address (unset: tracing off), the name spans carry (the service's own by default), and
   * `console` to print spans instead. Declared here so a bad value stops the service, naming it.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    // Empty is unset, as compose's OTEL_EXPORTER_OTLP_ENDPOINT= turns tracing off.
    .refine((value) => value === '' || /^https?:\/\/[^/]/.test(value), { error: 'expected a URL starting with http:// or https://' })
    .optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1, { error: 'expected a name' }).optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none'], { error: 'expected otlp, console or none' }).optional(),
};


/** A service's environment schema: its own variables and the common ones. */
export function serviceConfig<T extends z.ZodRawShape>(shape: T) {
  return z.object({ ...commonConfig, ...shape });
}

export type CommonConfig = z.output<z.ZodObject<typeof commonConfig>>;

/** A credential a service reads: its value (undefined when unset) and what it is. */
export interface Credential {
  value: string | undefined;
  kind: CredentialKind;
  /** What of the variable it is, when not all of it: "its password" of a DSN or a URL. */
  part?: string;
}

/**
 * For a schema's superRefine: in production, one issue for each credential that
 * is unfit (written in this repository or easy to guess), naming the variable and
 * why, so the service stops at start. Development takes the course's values.
 */
export function refuseUnfitCredentials(config: { DEPLOY_ENV: DeployEnv }, ctx: z.RefinementCtx, credentials: Record<string, Credential>): void {
  if (config.DEPLOY_ENV !== 'production') return;
  for (const [variable, { value, kind, part = 'the value' }] of Object.entries(credentials)) {
    const why = value === undefined || value === '' ? undefined : unfitForProduction(value, kind);
    if (why) ctx.addIssue({ code: 'custom', path: [variable], message: `not fit for production: ${part} ${why}` });
  }
}
