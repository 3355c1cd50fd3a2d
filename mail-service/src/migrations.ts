import { fileURLToPath } from 'node:url';
import type { ClientConfig } from 'pg';
import type { Logger } from '@go-micro/toolkit';
import { migrate } from '@go-micro/toolkit/postgres';

/** The service's migrations folder, beside src/ and dist/. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Makes or upgrades this service's table (welcome_mails) with the SQL files of
 * migrations/. Its own record table, since the authentication service keeps its
 * tables in the same database in compose.
 */
export const migrateDatabase = (connection: string | ClientConfig, logger: Logger): Promise<string[]> =>
  migrate(connection, { dir: MIGRATIONS_DIR, table: 'mail_service_migrations', logger });
