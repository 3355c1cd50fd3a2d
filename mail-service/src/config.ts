import { z } from 'zod';
import { env, loadConfig, serviceConfig } from '@go-micro/toolkit';

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
  /** How long one send may take, connecting included; under the broker's 5 s so the broker passes on our answer. */
  MAIL_TIMEOUT_MS: env.milliseconds(4_000),
});

export type Config = z.output<typeof schema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, source);

/** The schema itself, so the deployment checks compare every environment with what this service reads. */
export const configSchema = schema;
