export { type Envelope, reply } from './envelope.js';
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
export { parseSingleJSONValue } from './json-value.js';
export { validate } from './validate.js';
export { loadConfig, env } from './config.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { acceptRequestId, currentRequestId, runWithRequestId, REQUEST_ID_HEADER } from './request-context.js';
export { createHttpApp, type HttpAppOptions } from './http-app.js';
export { listen, closeServer, shutdownOnSignals, runMain, type Closer } from './lifecycle.js';
export { waitFor, type WaitOptions } from './retry.js';
export { ServiceClient, type ServiceClientOptions, type ServiceReply } from './service-client.js';
export { JsonObjectStream, JsonStreamError } from './json-stream.js';
export { LOG_EXCHANGE, LOG_EXCHANGE_TYPE, LOG_PUBLISH_KEY, LOG_ROUTING_KEYS, type LogEvent } from './log-events.js';
