import {
  context,
  diag,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type DiagLogger,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { NodeTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { RequestHandler } from 'express';
import type { Logger } from './logger.js';
import { matchedRoute } from './metrics.js';

export { context, trace, SpanKind, SpanStatusCode, type Context, type Span };

/**
 * Tracing, with the OpenTelemetry SDK and manual spans.
 *
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (or OTEL_TRACES_EXPORTER is
 * `console`): then no provider is registered and every call below goes to the
 * API's no-op tracer, which makes no span, keeps no context and injects no
 * header. On, spans go in batches to the collector over OTLP/HTTP; a
 * collector that is down costs a request nothing: the batch processor drops
 * what its queue cannot hold, the export runs off the request path with a
 * short timeout, and the failure is logged at most once a minute.
 *
 * Why manual spans rather than the auto-instrumentations: they work by
 * patching modules as they load, which under ESM needs an `--import` loader
 * hook that must run before anything else, and breaks quietly when a module
 * is bundled, loaded twice or is not one the hook knows (our JSON-RPC codec,
 * the queue consumer). A few spans at the places we own are explicit and
 * cannot silently stop working.
 *
 * The SDK and its exporter are imported only when tracing is turned on: a
 * service without a collector does not hold their code (about 15 MB of RSS).
 */

const TRACER_NAME = '@go-micro/toolkit';

let provider: NodeTracerProvider | undefined;
/** OpenTelemetry's suppressTracing, loaded with the SDK: spans started in a context it marks are not recorded. */
let suppressTracing: ((context: Context) => Context) | undefined;

/** What tracing the environment asks for: none, the console, or OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT. */
export function tracingMode(env: NodeJS.ProcessEnv = process.env): 'off' | 'console' | 'otlp' {
  if (env.OTEL_SDK_DISABLED === 'true') return 'off';
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim());
  if (exporters.includes('none')) return 'off';
  if (exporters.includes('console')) return 'console';
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return endpoint ? 'otlp' : 'off';
}

/** Where spans are posted: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or /v1/traces under OTEL_EXPORTER_OTLP_ENDPOINT, as the spec says. */
function tracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** Export failures are the only thing the SDK reports; one line a minute says the collector is away, and how often. */
function rateLimitedDiag(logger: Logger, everyMs = 60_000): DiagLogger {
  let last = 0;
  let suppressed = 0;
  const report = (message: string, ...args: unknown[]) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed++;
      return;
    }
    last = now;
    const detail = args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
    logger.warn({ suppressed, detail: detail.slice(0, 300) }, `tracing: ${message}`);
    suppressed = 0;
  };
  const ignore = () => undefined;
  return { error: report, warn: report, info: ignore, debug: ignore, verbose: ignore };
}

/**
 * Starts tracing for this process once, from the standard environment
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME defaulting to `service`,
 * OTEL_TRACES_EXPORTER=console). Returns whether tracing is on. Unit tests
 * pass their own span processors (an in-memory exporter's) instead.
 */
export async function startTracing(
  service: string,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  processors?: SpanProcessor[],
): Promise<boolean> {
  if (provider) return true;
  const mode = processors ? 'given' : tracingMode(env);
  if (mode === 'off') return false;
  const [sdk, { resourceFromAttributes }, { ATTR_SERVICE_NAME }, core] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
    import('@opentelemetry/core'),
  ]);
  if (provider) return true;
  suppressTracing = core.suppressTracing;
  diag.setLogger(rateLimitedDiag(logger));
  const spanProcessors: SpanProcessor[] =
    processors ??
    (mode === 'console'
      ? [new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter())]
      : [
          new sdk.BatchSpanProcessor(
            new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({
              url: tracesUrl(env),
              timeoutMillis: 3_000,
              // One export at a time, as the spec says the processor calls it. The SDK's batch
              // processor does not hold to that after a failed export (its `.catch` clears its
              // "exporting" flag after `.finally` has started the next batch), so with the
              // collector away exports piled up to the exporter's default limit of 30, each
              // holding its 512 spans and their encoded body: 12 open at once after 20 s of load,
              // and the broker's memory 20-30 MB above what it was with the collector up. Past
              // the limit a batch fails at once and is dropped.
              concurrencyLimit: 1,
            }),
            {
              // With the limit above, a collector that is away costs at most this much memory; what does not fit is dropped.
              maxQueueSize: 2_048,
              maxExportBatchSize: 512,
              scheduledDelayMillis: 1_000,
              exportTimeoutMillis: 5_000,
            },
          ),
        ]);
  provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || service }),
    spanProcessors,
  });
  // Sets the AsyncLocalStorage context manager and the W3C traceparent (and baggage) propagator.
  provider.register();
  logger.info({ exporter: mode, endpoint: mode === 'otlp' ? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT : undefined }, 'tracing on');
  return true;
}

/** Sends the spans still in hand and stops; called last on the way out. Bounded by the exporter's timeout. */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  provider = undefined;
  await stopping?.shutdown();
}

/** Sends the spans in hand now (benchmarks, tests); resolves at once when tracing is off. */
export async function forceFlushTracing(): Promise<void> {
  await provider?.forceFlush();
}

export const tracingEnabled = (): boolean => provider !== undefined;

export const tracer = () => trace.getTracer(TRACER_NAME);

/** The trace id of the span active here, for log lines; undefined when there is none (or tracing is off). */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, traceFlags } = span.spanContext();
  // A context taken from a traceparent while tracing is off is not ours to print; a sampled or recorded one is.
  return span.isRecording() || traceFlags & 1 ? traceId : undefined;
}

/** Carriers are plain objects: HTTP headers, AMQP message headers; their values may be strings, buffers or arrays. */
const recordGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('latin1');
    if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
    return undefined;
  },
};
const recordSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Adds `traceparent` (and `tracestate`) for the active span to `carrier`; does nothing when tracing is off. */
export function injectTraceContext<T extends Record<string, unknown>>(carrier: T, from: Context = context.active()): T {
  propagation.inject(from, carrier, recordSetter);
  return carrier;
}

/** The context a caller sent in `carrier`, to parent the span of its work; the empty context when it sent none. */
export function extractTraceContext(carrier: Record<string, unknown> | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier, recordGetter) : ROOT_CONTEXT;
}

/** A carrier with get and set of its own, such as gRPC's Metadata. */
export interface MetadataLike {
  get(key: string): unknown[];
  set(key: string, value: string): void;
}

export function injectIntoMetadata(metadata: MetadataLike): void {
  const headers = injectTraceContext({});
  for (const [key, value] of Object.entries(headers)) metadata.set(key, String(value));
}

export function extractFromMetadata(metadata: MetadataLike): Context {
  const first = (key: string) => metadata.get(key).find((value): value is string => typeof value === 'string');
  const carrier: Record<string, unknown> = {};
  for (const key of ['traceparent', 'tracestate', 'baggage']) {
    const value = first(key);
    if (value !== undefined) carrier[key] = value;
  }
  return extractTraceContext(carrier);
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context by default. */
  parent?: Context;
  links?: Link[];
}

/**
 * Runs `fn` inside a new span (active for everything it awaits) and ends the
 * span when `fn` settles: a thrown error marks it failed and is rethrown.
 * When tracing is off the span is the API's no-op and costs a function call.
 */
export function withSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!provider) return fn(trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 }));
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs `fn`, and everything it starts, with tracing suppressed: work done on
 * a timer rather than for a request (the outbox's polling) makes no spans,
 * so it does not become a root trace every tick. A span given an explicit
 * parent (an event's stored traceparent) is still made. Off, it just runs `fn`.
 */
export function withoutTracing<T>(fn: () => T): T {
  return suppressTracing ? context.with(suppressTracing(context.active()), fn) : fn();
}

/** Marks `span` failed with the error's message (never its stack: spans leave the service). */
export function failSpan(span: Span, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 300) });
  span.setAttribute('error.type', err instanceof Error ? err.name : 'error');
}

/** The header that tells a caller (and a person with the browser's network tab) which trace its request made. */
export const TRACE_ID_HEADER = 'x-trace-id';

/**
 * The server span of each HTTP request, child of the caller's `traceparent`
 * if it sent one, active for all the request's work, named `METHOD route`
 * once the router has matched (`POST /handle`), ended when the reply is sent
 * or the connection drops; a 5xx marks it failed. No-op when tracing is off.
 */
export const traceRequests = (): RequestHandler => (req, res, next) => {
  if (!provider) {
    next();
    return;
  }
  const parent = extractTraceContext(req.headers);
  const span = tracer().startSpan(
    `${req.method} ${req.path}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
    parent,
  );
  res.setHeader(TRACE_ID_HEADER, span.spanContext().traceId);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const route = matchedRoute(req);
    if (route !== undefined) {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    if (!res.writableFinished) span.setAttribute('http.aborted', true);
    span.end();
  };
  res.once('finish', end);
  res.once('close', end);
  context.with(trace.setSpan(parent, span), next);
};
