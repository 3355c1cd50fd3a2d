import express, { type Express, type ErrorRequestHandler, type RequestHandler } from 'express';
import cors from 'cors';
import type { Logger } from './logger.js';
import { replyError } from './envelope.js';
import { HttpError, notFound } from './http-error.js';
import { metricsEndpoint, recordRequest } from './metrics.js';
import { refuseNonJsonBodies } from './json-body.js';
import { readiness, type ReadinessCheck } from './readiness.js';
import { acceptRequestId, REQUEST_ID_HEADER, runWithRequestId } from './request-context.js';
import { traceRequests } from './tracing.js';

/**
 * The course's CORS settings (methods, headers, max age 300), but only for the
 * configured origins and without credentials: the course reflected any origin
 * with credentials, which let every web page call the broker as its visitor.
 */
export const pageCors = (origins: readonly string[]): RequestHandler => {
  const handler = cors({
    origin: [...origins],
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Accept', 'Authorization', 'Content-Type', 'X-CSRF-Token', 'X-Request-Id'],
    exposedHeaders: ['Link', 'Retry-After', 'X-Request-Id', 'X-Trace-Id'],
    credentials: false,
    maxAge: 300,
  });
  // A request without an Origin header does not come from a page (curl, another service): nothing to allow or refuse.
  return (req, res, next) => {
    if (req.headers.origin === undefined) next();
    else handler(req, res, next);
  };
};

/** GET /ping answers 200 with a single dot, like the course's heartbeat middleware. */
export const heartbeat = (): RequestHandler => (req, res, next) => {
  if ((req.method === 'GET' || req.method === 'HEAD') && req.path === '/ping') {
    res.type('text/plain').send('.');
    return;
  }
  next();
};

/** Takes the request id from x-request-id or makes one, echoes it, and runs the rest of the request under it. */
const requestContext = (): RequestHandler => (req, res, next) => {
  const requestId = acceptRequestId(req.headers[REQUEST_ID_HEADER]);
  req.headers[REQUEST_ID_HEADER] = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  runWithRequestId(requestId, next);
};

/**
 * When a request's reply has gone (or its client has gone first): one log line
 * with the request id, method, path, status and milliseconds, and the request
 * counted into the latency histogram. Written here rather than with
 * pino-http, which made a child logger and serialized the request and response
 * objects for every request (a fifth of the broker's CPU on its fastest route);
 * one middleware with one `close` listener (Node emits it after `finish`, and
 * when the connection drops first) for both, rather than two with two
 * listeners each. The line costs one pino call.
 */
export const observeRequests =
  (logger: Logger): RequestHandler =>
  (req, res, next) => {
    const started = performance.now();
    res.once('close', () => {
      const ms = performance.now() - started;
      const finished = res.writableFinished;
      const line = { reqId: req.headers[REQUEST_ID_HEADER], method: req.method, url: req.originalUrl, status: finished ? res.statusCode : undefined, ms: Math.round(ms) };
      if (!finished) {
        logger.warn(line, 'request aborted');
        return;
      }
      recordRequest(req, res.statusCode, ms / 1000);
      if (res.statusCode >= 500) logger.warn(line, 'request failed');
      else logger.info(line, 'request completed');
    });
    next();
  };

/** Body-parser errors carry a status and a type; turn the ones a client causes into plain words. */
function clientErrorMessage(err: { status?: number; type?: string }): string | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return 'body must not be larger than 1 MiB';
    case 'request.aborted':
      return 'request was aborted';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'body encoding is not supported';
    default:
      return undefined;
  }
}

/** The one place that turns an error into a reply. A stack trace never leaves the service. */
export const errorHandler =
  (logger: Logger): ErrorRequestHandler =>
  (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof HttpError) {
      const level = err.status >= 500 ? 'warn' : 'debug';
      logger[level]({ status: err.status, cause: describeCause(err.cause), path: req.path }, err.message);
      if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      replyError(res, err.status, err.message);
      return;
    }
    const clientError = err as { status?: number; type?: string };
    const message = clientErrorMessage(clientError);
    if (message && clientError.status && clientError.status < 500) {
      replyError(res, clientError.status, message);
      return;
    }
    logger.error({ err, path: req.path }, 'unhandled error');
    replyError(res, 500, 'internal error');
  };

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return code ? `${cause.message} (${String(code)})` : cause.message;
  }
  return String(cause);
}

export interface HttpAppOptions {
  logger: Logger;
  /** The origins whose pages may call this service from a browser (the broker: the test page's). None by default. */
  corsOrigins?: readonly string[];
  /** Whether this service's own dependency answers, for GET /ready; a service without one is ready while it runs. */
  ready?: { dependency: string; check: ReadinessCheck };
  /**
   * Paths of HTML forms, where a form-urlencoded body is taken as well as JSON
   * (the logger's dashboard). Every form there must check a CSRF token: that,
   * not the content type, is what keeps another site's page from posting to it.
   */
  formPaths?: readonly string[];
}

/**
 * An Express app with what every service shares around its routes: request id,
 * heartbeat and readiness, access log, optional CORS, the refusal of non-JSON
 * bodies, then 404 and the error envelope.
 */
export function createHttpApp(options: HttpAppOptions, mountRoutes: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  // An ETag is a hash of every reply body; no client here revalidates an envelope, so it was pure cost.
  app.set('etag', false);
  // X-Forwarded-For is believed only from a hop on this machine or a private network (Caddy, the broker).
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.use(requestContext());
  app.use(heartbeat());
  // Before the access log, like /ping: orchestrators and Prometheus ask every few seconds.
  app.get('/metrics', metricsEndpoint());
  app.get('/ready', options.ready ? readiness(options.ready.check, { dependency: options.ready.dependency }) : readiness(async () => undefined));
  // After the heartbeats, so the orchestrators' pings make no traces; before the access log, whose line then has the trace id.
  app.use(traceRequests());
  app.use(observeRequests(options.logger));
  if (options.corsOrigins?.length) app.use(pageCors(options.corsOrigins));
  // After CORS, so a page is told why (415) in a reply it can read.
  app.use(refuseNonJsonBodies(options.formPaths));
  mountRoutes(app);
  app.use((_req, _res, next) => next(notFound()));
  app.use(errorHandler(options.logger));
  return app;
}
