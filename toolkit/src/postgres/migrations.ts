import { runner } from 'node-pg-migrate';
import type { ClientConfig } from 'pg';
import type { Logger } from 'pino';

export interface MigrateOptions {
  /** The service's migrations folder: numbered SQL files (0001_users.sql, ...), applied in that order. */
  dir: string;
  /** Where the migrations applied are recorded: one table per service, so services sharing a database keep apart. */
  table: string;
  logger: Logger;
}

/**
 * Brings a database up to date at start-up: applies the migrations of `dir`
 * that `table` does not list yet, in one transaction, under node-pg-migrate's
 * advisory lock. Replicas starting together wait for each other on that lock,
 * and the later ones find nothing left to do. Returns the names it applied.
 */
export async function migrate(connection: string | ClientConfig, { dir, table, logger }: MigrateOptions): Promise<string[]> {
  const applied = await runner({
    databaseUrl: connection,
    dir,
    migrationsTable: table,
    direction: 'up',
    singleTransaction: true,
    // Its default, 'fail', would stop a replica that starts while another one migrates.
    advisoryLockMode: 'wait',
    // Its progress lines are detail; the one line that matters is logged below.
    logger: {
      info: (message) => logger.debug(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    },
  });
  const names = applied.map((migration) => migration.name);
  if (names.length > 0) logger.info({ migrations: names, table }, 'database migrated');
  return names;
}
