import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Request, RequestHandler } from 'express';

/**
 * The process's metrics, in the Prometheus text format on GET /metrics of every
 * service (prom-client: the Prometheus client for Node, maintained since 2014).
 * One registry per process; every series carries the service's name.
 */
export const registry = new Registry();

let started = false;

/**
 * The event loop's lag is sampled by a timer this often. Every 20 ms, it woke an idle service 50
 * times a second and spent 4-5 ms of CPU a second on it (a broker left alone for 20 s: 51 wakeups
 * a second and 110 ms of CPU, against 3 and 20 with the timer at 1 s), which six services pay
 * all the time, on cores they share with the requests. Ten samples a second are plenty for a
 * scrape every 15 s; prom-client starts them afresh at each scrape.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** Names the service on every series and starts Node's own metrics (event loop lag, heap, handles, CPU, RSS). Once per process. */
export function startMetrics(service: string): void {
  if (started) return;
  started = true;
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
}

// Seconds; from a cached reply (1 ms) to the broker's timeout (5 s) and past it.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A family made and registered the first time the code that records it runs
 * (or is set up), so each process's /metrics shows only the families it uses:
 * the front end has no queue series, the broker no consumer's.
 */
function family<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

// Every service answers HTTP: this family is in each of them from the start.
const httpDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'Time from a request arriving to its reply sent, by route (or static, not_found, preflight, unmatched), status, and the broker\'s /handle action.',
  labelNames: ['method', 'route', 'status', 'action'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const outboundDuration = family(
  () =>
    new Histogram({
      name: 'outbound_request_duration_seconds',
      help: 'Calls to another service or a queue, by target, transport and outcome.',
      labelNames: ['target', 'transport', 'outcome'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
);

/** How a queue consumer settles a message: handled, retried later, or dead-lettered. */
export const QUEUE_OUTCOMES = ['handled', 'retried', 'dead_lettered'] as const;
export type QueueOutcome = (typeof QUEUE_OUTCOMES)[number];

/** Messages a queue consumer settled, by outcome. */
export const queueMessages = family(
  () =>
    new Counter({
      name: 'queue_messages_total',
      help: 'Messages taken from a queue, by how they were settled.',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
);

/** Messages waiting in a queue, read from RabbitMQ at each scrape by whoever consumes it. */
const queueDepth = family(
  () =>
    new Gauge({
      name: 'queue_depth',
      help: 'Messages ready in a queue (a work queue, its .retry and its .dead), as RabbitMQ counts them when scraped.',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        await Promise.all(
          [...depthSources].map(async (source) => {
            const depth = await source.depth().catch(() => undefined);
            if (depth !== undefined) this.set({ queue: source.queue }, depth);
          }),
        );
      },
    }),
);

const depthSources = new Set<{ queue: string; depth: () => Promise<number | undefined> }>();

/** Adds a queue to `queue_depth`; the returned function takes it out again. */
export function watchQueueDepth(queue: string, depth: () => Promise<number | undefined>): () => void {
  queueDepth();
  const source = { queue, depth };
  depthSources.add(source);
  return () => depthSources.delete(source);
}

/** Why a connection was closed at the connection limit (connection-admission.ts). */
export type ShedReason = 'idle' | 'slow' | 'refused';

/** Connections closed at the connection limit, by why. */
export const connectionsShed = new Counter<'reason'>({
  name: 'http_connections_shed_total',
  help: 'HTTP connections closed at the connection limit: idle (kept alive with no request, closed to make room), slow (still sending its request, closed to make room), refused (a new one, when every other was busy).',
  labelNames: ['reason'] as const,
  registers: [registry],
});

/** HTTP connections open now, to set beside MAX_CONNECTIONS. */
export const openConnections = new Gauge({
  name: 'http_connections_open',
  help: 'HTTP connections open now (at most MAX_CONNECTIONS).',
  registers: [registry],
});

/** Calls to another service refused at once because as many as allowed were already waiting on it (bulkhead.ts). */
export const outboundRefused = family(
  () =>
    new Counter<'target'>({
      name: 'outbound_calls_refused_total',
      help: 'Calls to another service or a queue refused without being made, because as many as allowed were already in flight to it.',
      labelNames: ['target'] as const,
      registers: [registry],
    }),
);

/** Calls in flight to another service, by target (bulkhead.ts). */
export const outboundInFlight = family(
  () =>
    new Gauge<'target'>({
      name: 'outbound_calls_in_flight',
      help: 'Calls to another service or a queue in flight now, by target (at most UPSTREAM_MAX_IN_FLIGHT each).',
      labelNames: ['target'] as const,
      registers: [registry],
    }),
);

/** A counter of this process's registry, for what only one service counts (mails sent, logins). */
export function defineCounter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** A gauge of this process's registry read at each scrape (the outbox's backlog); a failed read leaves the last value. */
export function defineGauge(name: string, help: string, read: () => Promise<number>): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const value = await read().catch(() => undefined);
      if (value !== undefined) this.set(value);
    },
  });
}

export type Transport = 'rest' | 'jsonrpc' | 'grpc' | 'amqp';

/** Times a call to `target` over `transport` into `outbound_request_duration_seconds`, ok or error. */
export async function timeCall<T>(target: string, transport: Transport, call: () => Promise<T>): Promise<T> {
  const end = outboundDuration().startTimer({ target, transport });
  try {
    const result = await call();
    end({ outcome: 'ok' });
    return result;
  } catch (err) {
    end({ outcome: 'error' });
    throw err;
  }
}

type HistogramChild = ReturnType<typeof httpDuration.labels>;
/**
 * One child per method, route and status seen, so `labels()` (which maps and validates its arguments)
 * runs once per series; prom-client still hashes the labels on each observe (0.3 µs here).
 */
const requestSeries = new Map<string, HistogramChild>();

/** Requests answered by a static-file handler, and the /handle action of the broker's, for their labels. */
const staticRequests = new WeakSet<Request>();
const actions = new WeakMap<Request, string>();

/** Before express.static: the files it serves count as route="static", apart from the service's own routes. */
export const countAsStatic: RequestHandler = (req, _res, next) => {
  staticRequests.add(req);
  next();
};

/** Labels this request's series with `action` (the broker's /handle): one of a few known values, never what a client typed. */
export function labelAction(req: Request, action: string): void {
  actions.set(req, action);
}

/**
 * The route label of a request no route matched: a file served as it is, a
 * path nobody serves, a CORS preflight, or anything else (refused before routing).
 */
function unroutedLabel(req: Request, status: number): string {
  if (status === 404) return 'not_found';
  if (staticRequests.has(req)) return 'static';
  if (req.method === 'OPTIONS') return 'preflight';
  return 'unmatched';
}

/**
 * Counts a request into `http_server_request_duration_seconds`, labelled by the
 * route that matched (so /users/17 and /users/18 are one series), else
 * static, not_found, preflight or unmatched, and by its action if it has one.
 * The series are few (the parser knows ~30 methods, a service a handful of
 * routes, actions and statuses), so each is looked up once and kept.
 */
export function recordRequest(req: Request, status: number, seconds: number): void {
  const route = matchedRoute(req) ?? unroutedLabel(req, status);
  const action = actions.get(req);
  const key = `${req.method} ${route} ${status} ${action ?? ''}`;
  let series = requestSeries.get(key);
  if (!series) {
    const labels = { method: req.method, route, status: String(status) };
    series = httpDuration.labels(action === undefined ? labels : { ...labels, action });
    requestSeries.set(key, series);
  }
  series.observe(seconds);
}

/**
 * The route pattern Express matched for a request (`/users/:id`, with its
 * router's mount path), or undefined before matching and for a 404. The one
 * label the metrics and the traces both use, so they name routes alike.
 */
export function matchedRoute(req: Request): string | undefined {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? `${req.baseUrl}${route}` : undefined;
}

/** GET /metrics: the registry in Prometheus' text format. */
export const metricsEndpoint = (): RequestHandler => async (_req, res, next) => {
  try {
    const body = await registry.metrics();
    res.setHeader('Content-Type', registry.contentType);
    res.end(body);
  } catch (err) {
    next(err);
  }
};
