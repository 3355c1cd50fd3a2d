export { reply } from './envelope.js';
export {
  HttpError,
  badRequest,
  unauthorized,
  forbidden,
  notFound,
  tooManyRequests,
  badGateway,
  serviceUnavailable,
  gatewayTimeout,
} from './http-error.js';
export { jsonBody, MAX_BODY_BYTES, MAX_BODY_DEPTH, type JsonBodyOptions } from './json-body.js';
export { JsonScanner, JsonDepthError } from './json-scanner.js';
export { validate } from './validate.js';
export { loadConfig, env, serviceConfig, refuseUnfitCredentials, PRIVATE_NETWORKS, type Credential, type DeployEnv, type TrustProxy } from './config.js';
export { unfitForProduction, estimatedBits, passwordInUrl, passwordInDsn, KNOWN_VALUES, type CredentialKind } from './secrets.js';
export { createLogger, type Logger } from './logger.js';
export { acceptRequestId, currentRequestId, runWithRequestId, REQUEST_ID_HEADER } from './request-context.js';
export { createHttpApp } from './http-app.js';
export { listen, closeServer, shutdownOnSignals, runService, HTTP_LIMITS } from './lifecycle.js';
export { admitConnections, SLOW_REQUEST_GRACE_MS, SHED_LOG_INTERVAL_MS, type AdmissionOptions } from './connection-admission.js';
export { Bulkhead } from './bulkhead.js';
export { readiness, type ReadinessCheck } from './readiness.js';
export { waitFor } from './retry.js';
export { poolConfigFromDsn, parseKeyValue, readableDsn, type PoolConfig } from './postgres-dsn.js';
export { startMetrics, defineCounter, defineGauge, timeCall, queueMessages, watchQueueDepth, countAsStatic, labelAction, registry as metricsRegistry, type Transport } from './metrics.js';
export {
  startTracing,
  stopTracing,
  forceFlushTracing,
  tracingEnabled,
  tracingMode,
  tracer,
  context,
  trace,
  currentTraceId,
  injectTraceContext,
  extractTraceContext,
  injectIntoMetadata,
  extractFromMetadata,
  withSpan,
  withoutTracing,
  failSpan,
  traceRequests,
  TRACE_ID_HEADER,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Span,
  type SpanOptions,
} from './tracing.js';
