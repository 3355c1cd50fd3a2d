import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from './logger.js';
import { connectionsShed, openConnections, type ShedReason } from './metrics.js';

/** At the limit, a request still arriving this long after its connection was free counts as slow. */
export const SLOW_REQUEST_GRACE_MS = 1_000;
/** At most one log line this often about connections shed, with the counts since the line before. */
export const SHED_LOG_INTERVAL_MS = 10_000;

export interface AdmissionOptions {
  maxConnections: number;
  /** Where the shedding is reported; without one it is only counted. */
  logger?: Logger | undefined;
  graceMs?: number;
  logIntervalMs?: number;
}

interface Connection {
  socket: Socket;
  /** When its current request began: when it opened, or when the reply before was sent. */
  since: number;
  served: number;
  /** The request being received or handled, until its reply is sent. */
  request: IncomingMessage | undefined;
}

/**
 * Keeps at most `maxConnections` open on an HTTP server, shedding fairly.
 * Node's own `server.maxConnections` closes every new connection once full,
 * whoever holds the others: clients trickling their headers kept everyone
 * else out, and nothing said so. Here a new connection at the limit takes
 * the place of, first, the keep-alive connection idle longest (no request on
 * it), else the one that has been sending its request longest, once past a
 * short grace; it is refused only when every other is busy with a request
 * or just opened. Each close and refusal is counted in /metrics and logged.
 */
export function admitConnections(server: Server, options: AdmissionOptions): void {
  const { maxConnections, graceMs = SLOW_REQUEST_GRACE_MS } = options;
  const connections = new Map<Socket, Connection>();
  const report = shedReporter(options.logger, maxConnections, options.logIntervalMs ?? SHED_LOG_INTERVAL_MS);

  server.on('connection', (socket: Socket) => {
    if (connections.size >= maxConnections) {
      const victim = pickVictim(connections.values(), performance.now() - graceMs);
      if (victim === undefined) {
        socket.destroy();
        report('refused');
        return;
      }
      connections.delete(victim.connection.socket);
      victim.connection.socket.destroy();
      report(victim.reason);
    }
    connections.set(socket, { socket, since: performance.now(), served: 0, request: undefined });
    openConnections.inc();
    socket.once('close', () => {
      connections.delete(socket);
      openConnections.dec();
    });
  });

  // Before the app's listener, so the request is known even if its reply is sent at once.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const connection = connections.get(req.socket);
    if (connection === undefined) return;
    connection.request = req;
    res.once('close', () => {
      connection.request = undefined;
      connection.served++;
      connection.since = performance.now();
    });
  });
}

/**
 * The connection to close for a new one: the one idle longest, else the one
 * sending its request longest if it began before `slowBefore`. Connections
 * whose request has arrived and is being answered are never chosen.
 */
function pickVictim(connections: Iterable<Connection>, slowBefore: number): { connection: Connection; reason: ShedReason } | undefined {
  let idle: Connection | undefined;
  let slow: Connection | undefined;
  for (const connection of connections) {
    const { request, served, since } = connection;
    if (request === undefined && served > 0) {
      if (idle === undefined || since < idle.since) idle = connection;
    } else if ((request === undefined || !request.complete) && since < slowBefore) {
      if (slow === undefined || since < slow.since) slow = connection;
    }
  }
  if (idle !== undefined) return { connection: idle, reason: 'idle' };
  if (slow !== undefined) return { connection: slow, reason: 'slow' };
  return undefined;
}

/**
 * Counts each shed connection into http_connections_shed_total and logs the
 * first at once, then at most one line per interval with the counts since the
 * line before: a flood of connections makes a few lines, not one per connection.
 */
function shedReporter(logger: Logger | undefined, maxConnections: number, intervalMs: number): (reason: ShedReason) => void {
  const counts: Record<ShedReason, number> = { idle: 0, slow: 0, refused: 0 };
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (counts.idle + counts.slow + counts.refused === 0) return;
    logger?.warn(
      { maxConnections, closedIdle: counts.idle, closedSlow: counts.slow, refused: counts.refused },
      `at the connection limit (${maxConnections}): closed ${counts.idle} idle and ${counts.slow} slow connections, refused ${counts.refused} new ones`,
    );
    counts.idle = counts.slow = counts.refused = 0;
    timer = setTimeout(flush, intervalMs).unref();
  };
  return (reason) => {
    connectionsShed.inc({ reason });
    counts[reason]++;
    if (timer === undefined) flush();
  };
}
