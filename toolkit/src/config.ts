import { z } from 'zod';

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
};

/** What every service reads: how much to log, and whether as JSON lines or for a person. */
export const commonConfig = {
  LOG_LEVEL: env.logLevel(),
  /** Human-readable lines instead of JSON; unset means "when stdout is a terminal". */
  LOG_PRETTY: env.optionalBoolean(),
};

/** A service's environment schema: its own variables and the common ones. */
export function serviceConfig<T extends z.ZodRawShape>(shape: T) {
  return z.object({ ...commonConfig, ...shape });
}

export type CommonConfig = z.output<z.ZodObject<typeof commonConfig>>;
