import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Express } from 'express';
import type { z } from 'zod';
import { DEFAULT_MAX_CONNECTIONS, loadConfig, type CommonConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { startTracing, stopTracing } from './tracing.js';
import { startMetrics } from './metrics.js';
import { admitConnections } from './connection-admission.js';
import { loggerOf } from './http-app.js';

/**
 * The bounds of every HTTP port. Node's defaults let a client hold a
 * connection for a minute before its headers and five before its body, and
 * checked them only every 30 s: a slow client kept its socket 84-95 s.
 */
export const HTTP_LIMITS = {
  /** All headers must have arrived this long after the connection opened (or the previous request ended). */
  headersTimeoutMs: 10_000,
  /** The whole request, body included, must have arrived by then; a 1 MiB body needs well under a second. */
  requestTimeoutMs: 20_000,
  /** An idle keep-alive connection is closed after this (Node's default; below a proxy's usual 60 s). */
  keepAliveTimeoutMs: 5_000,
  /** How often those timeouts are checked: a late client is cut within a second of its deadline. */
  checkIntervalMs: 1_000,
  /** Header bytes of one request (more answers 431), and header lines read (more are dropped unread). */
  maxHeaderBytes: 16 * 1024,
  maxHeadersCount: 100,
} as const;

export interface ListenOptions {
  /** The address to bind; loopback unless configured (BIND_ADDR). Tests pass 127.0.0.1. */
  host?: string;
  /** Connections held at once (MAX_CONNECTIONS); at the limit idle and slow ones make room (connection-admission.ts). */
  maxConnections?: number;
}

/**
 * Request and response classes whose prototypes are already the app's own.
 * Express otherwise moves every request and response onto its prototypes with
 * Object.setPrototypeOf as it enters the app, which throws away V8's inline
 * caches for both objects on every request: about half the cost of a hello-world
 * route. With these, that call finds the prototype already set and does nothing.
 */
function expressClasses(app: Express) {
  // Node calls these with `new`, passing on what it gives the stock classes.
  function AppRequest(this: IncomingMessage, ...args: ConstructorParameters<typeof IncomingMessage>) {
    IncomingMessage.apply(this, args);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: ServerResponse, ...args: ConstructorParameters<typeof ServerResponse>) {
    ServerResponse.apply(this, args);
  }
  AppResponse.prototype = app.response;
  return {
    IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
    ServerResponse: AppResponse as unknown as typeof ServerResponse,
  };
}

/**
 * Starts listening, with the bounds above and the connection admission, and resolves once the port
 * is bound (port 0 picks a free one, for tests). What is shed is logged with the app's logger.
 */
export function listen(app: Express, port: number, options: ListenOptions = {}): Promise<Server> {
  const server = createServer(
    {
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: HTTP_LIMITS.checkIntervalMs,
      maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
      ...expressClasses(app),
    },
    app,
  );
  server.maxHeadersCount = HTTP_LIMITS.maxHeadersCount;
  admitConnections(server, { maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, logger: loggerOf(app) });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
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

/** What the process closes on its way out; set by shutdownOnSignals once the service runs. */
let registered: { logger: Logger; closers: Closer[]; timeoutMs: number } | undefined;
let stopping = false;

/**
 * Runs the closers in order (servers first, then pools and connections) and
 * exits with `code` (or 1 if one failed); if they take longer than the bound,
 * exits anyway. Called once: a second signal or crash while stopping is only logged.
 */
async function stop(logger: Logger, reason: Record<string, unknown>, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const { closers = [], timeoutMs = 10_000 } = registered ?? {};
  logger.info(reason, 'shutting down');
  const force = setTimeout(() => {
    logger.error({ timeoutMs }, 'shutdown took too long, exiting anyway');
    process.exit(code || 1);
  }, timeoutMs);
  force.unref();
  let exitCode = code;
  for (const closer of closers) {
    try {
      await closer.close();
      logger.debug({ closer: closer.name }, 'closed');
    } catch (err) {
      exitCode ||= 1;
      logger.error({ err, closer: closer.name }, 'close failed');
    }
  }
  // Last, so the spans of the work the closers finished are sent too.
  await stopTracing().catch((err: unknown) => logger.warn({ reason: (err as Error).message }, 'could not send the last spans'));
  logger.info({ code: exitCode }, 'stopped');
  process.exit(exitCode);
}

/**
 * On SIGTERM or SIGINT, runs the closers in order and exits 0; if they take
 * longer than `timeoutMs`, exits anyway. The same closers run, and the process
 * exits 1, after an uncaught exception or unhandled rejection (runService).
 */
export function shutdownOnSignals(logger: Logger, closers: Closer[], timeoutMs = 10_000): void {
  registered = { logger, closers, timeoutMs };
  const onSignal = (signal: NodeJS.Signals) => void stop(logger, { signal }, 0);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Bound on the closers after a crash: the process is in a state nobody planned for, so it leaves sooner. */
const CRASH_SHUTDOWN_MS = 5_000;

/**
 * An error nobody handled means the process is in a state nobody planned for:
 * log one line saying what, close what can be closed (bounded), exit non-zero,
 * and let the supervisor (compose, swarm, Kubernetes, make dev) start it again.
 */
function exitOnCrash(logger: Logger): void {
  const crash = (kind: string) => (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    logger.fatal({ err, kind }, `${kind}: ${message}; exiting`);
    if (stopping) return;
    if (registered) registered.timeoutMs = Math.min(registered.timeoutMs, CRASH_SHUTDOWN_MS);
    void stop(logger, { reason: kind }, 1);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
}

/**
 * Runs a service's main: reads its environment once with `schema` (a bad value
 * stops it with one line naming the variable), makes its logger from
 * LOG_LEVEL and LOG_PRETTY, starts tracing if OTEL_EXPORTER_OTLP_ENDPOINT asks
 * for it (flushed last on the way out), watches for crashes, then calls `main`. A start-up
 * failure is logged in one line and the process exits 1.
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
  exitOnCrash(logger);
  startMetrics(service);
  // Tracing is on (or known off) before main opens a port or a pool, so every span from the first request on is made.
  startTracing(service, logger)
    .then(() => main({ config, logger }))
    .catch((err: unknown) => {
    logger.fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
