export { reply } from './envelope.js';
export {
  HttpError,
  badRequest,
  unauthorized,
  forbidden,
  notFound,
  badGateway,
  serviceUnavailable,
  gatewayTimeout,
} from './http-error.js';
export { jsonBody } from './json-body.js';
export { JsonScanner } from './json-scanner.js';
export { validate } from './validate.js';
export { loadConfig, env, serviceConfig } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { acceptRequestId, currentRequestId, runWithRequestId, REQUEST_ID_HEADER } from './request-context.js';
export { createHttpApp } from './http-app.js';
export { listen, closeServer, shutdownOnSignals, runService } from './lifecycle.js';
export { waitFor } from './retry.js';
export { ServiceClient } from './service-client.js';
export { poolConfigFromDsn, parseKeyValue, readableDsn, type PoolConfig } from './postgres-dsn.js';
