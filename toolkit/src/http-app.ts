import express, { type Express, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import cors from 'cors';
import type { Logger } from './logger.js';
import { replyError } from './envelope.js';
import { HttpError, notFound } from './http-error.js';
import { metricsEndpoint, recordRequest } from './metrics.js';
import { refuseNonJsonBodies } from './json-body.js';
import { readiness, type ReadinessCheck } from './readiness.js';
import { acceptRequestId, REQUEST_ID_HEADER, runWithRequestId } from './request-context.js';
import { traceRequests } from './tracing.js';
import { PRIVATE_NETWORKS, type TrustProxy } from './config.js';

/**
 * The course's CORS settings (methods, headers, max age 300), but only for the
 * configured origins and without credentials: the course reflected any origin
 * with credentials, which let every web page call the broker as its visitor.
 */
export const pageCors = (origins: readonly string[]): RequestHandler => {
  const handler = cors({
    origin: [...origins],
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Accept', 'Authorization', 'Content-Type', 'X-CSRF-Token', 'X-Request-Id', 'Idempotency-Key'],
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

/** GET /ping answers 200 with a single dot, like the course's heartbeat. */
const ping: RequestHandler = (_req, res) => {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('.');
};

/**
 * When a request's reply has gone (or its client has gone first): one log line
 * with the request id, method, path, status and milliseconds, and the request
 * counted into the latency histogram. Written here rather than with
 * pino-http, which made a child logger and serialized the request and response
 * objects for every request (a fifth of the broker's CPU on its fastest route);
 * one `close` listener (Node emits it after `finish`, and when the connection
 * drops first) for both. The line costs one pino call.
 */
function observeRequest(logger: Logger, req: Request, res: Response): void {
  const started = performance.now();
  res.on('close', () => {
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
}

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
  /**
   * Whose X-Forwarded-For to believe (TRUST_PROXY, in Express's syntax): by default a caller on this
   * machine or a private network, as the internal services want it (the broker passes its client's address).
   */
  trustProxy?: TrustProxy | undefined;
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
  /** Take a body without Content-Type as JSON when no browser sent it (json-body.ts): for services only other services call. */
  untypedFromServices?: boolean;
}

/**
 * What every request meets before the service's own routes, as one middleware:
 * the request id (taken or made, echoed, and the rest of the request run under
 * it); the probes `GET /ping`, `/ready` and `/metrics`, answered here without an
 * access line or a trace (orchestrators and Prometheus ask every few seconds);
 * then a trace span, the access line and the latency histogram, CORS for a
 * page's request, and the refusal of bodies that are not JSON.
 *
 * One middleware rather than one each: Express's router matches a path, makes
 * a params object and wraps a try/catch for every layer it passes; the eight
 * layers this replaces cost the broker's `POST /` about 3 µs of CPU a request.
 */
function frontDoor(options: HttpAppOptions): RequestHandler {
  const probes = new Map<string, RequestHandler>([
    ['/ping', ping],
    ['/ready', options.ready ? readiness(options.ready.check, { dependency: options.ready.dependency }) : readiness(async () => undefined)],
    ['/metrics', metricsEndpoint()],
  ]);
  const cors = options.corsOrigins?.length ? pageCors(options.corsOrigins) : undefined;
  const checkBody = refuseNonJsonBodies(options.formPaths, { untypedFromServices: options.untypedFromServices ?? false });
  const trace = traceRequests();

  const afterTrace = (req: Request, res: Response, next: NextFunction) => () => {
    observeRequest(options.logger, req, res);
    if (cors) {
      // After CORS, so a page is told why (415) in a reply it can read.
      cors(req, res, (err?: unknown) => (err ? next(err) : checkBody(req, res, next)));
    } else {
      checkBody(req, res, next);
    }
  };

  return (req, res, next) => {
    const requestId = acceptRequestId(req.headers[REQUEST_ID_HEADER]);
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    runWithRequestId(requestId, () => {
      const probe = req.method === 'GET' || req.method === 'HEAD' ? probes.get(req.path) : undefined;
      if (probe) {
        // The probes may be async; a rejection goes to the error handler, as Express does for a route.
        Promise.resolve(probe(req, res, next)).catch(next);
        return;
      }
      trace(req, res, afterTrace(req, res, next));
    });
  };
}

/** The logger each app was made with, for what its server reports (lifecycle.ts listen). */
const appLoggers = new WeakMap<Express, Logger>();
export const loggerOf = (app: Express): Logger | undefined => appLoggers.get(app);

/**
 * An Express app with what every service shares around its routes (the front
 * door above), then 404 and the error envelope.
 */
export function createHttpApp(options: HttpAppOptions, mountRoutes: (app: Express) => void): Express {
  const app = express();
  appLoggers.set(app, options.logger);
  app.disable('x-powered-by');
  // An ETag is a hash of every reply body; no client here revalidates an envelope, so it was pure cost.
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy ?? PRIVATE_NETWORKS);
  app.use(frontDoor(options));
  mountRoutes(app);
  app.use((_req, _res, next) => next(notFound()));
  app.use(errorHandler(options.logger));
  return app;
}
