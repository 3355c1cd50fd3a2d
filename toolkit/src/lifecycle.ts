import type { Server } from 'node:http';
import type { Express } from 'express';
import type { z } from 'zod';
import { loadConfig, type CommonConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';

/** Starts listening and resolves once the port is bound (port 0 picks a free one, for tests). */
export function listen(app: Express, port: number, host?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host ?? '::', (err?: Error) => (err ? reject(err) : resolve(server)));
    server.once('error', reject);
  });
}

/** Stops accepting connections, lets in-flight requests finish, then closes idle keep-alive sockets. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}

export type Closer = { name: string; close: () => Promise<unknown> | unknown };

/**
 * On SIGTERM or SIGINT, runs the closers in order (servers first, then pools and
 * connections) and exits; if they take longer than `timeoutMs`, exits anyway.
 */
export function shutdownOnSignals(logger: Logger, closers: Closer[], timeoutMs = 10_000): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long, exiting anyway');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    let code = 0;
    for (const closer of closers) {
      try {
        await closer.close();
        logger.debug({ closer: closer.name }, 'closed');
      } catch (err) {
        code = 1;
        logger.error({ err, closer: closer.name }, 'close failed');
      }
    }
    logger.info('stopped');
    process.exit(code);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * Runs a service's main: reads its environment once with `schema` (a bad value
 * stops it with one line naming the variable), makes its logger from
 * LOG_LEVEL and LOG_PRETTY, then calls `main`. A start-up failure is logged in
 * one line and the process exits 1.
 */
export function runService<S extends z.ZodType<CommonConfig>>(
  service: string,
  schema: S,
  main: (context: { config: z.output<S>; logger: Logger }) => Promise<void>,
): void {
  let config: z.output<S>;
  try {
    config = loadConfig(schema);
  } catch (err) {
    createLogger(service, { pretty: false }).fatal((err as Error).message);
    process.exit(1);
  }
  const logger = createLogger(service, { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  main({ config, logger }).catch((err: unknown) => {
    logger.fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
