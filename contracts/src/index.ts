export { logEntry, loggedEntry, eventId, EVENT_ID_PATTERN, LOG_NAME_MAX_CHARS, LOG_DATA_MAX_CHARS, type LogEntry, type LoggedEntry } from './log-entry.js';
export {
  DEADLINE_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_RULE,
  JSON_RPC_DEADLINE,
  JSON_RPC_IDEMPOTENCY_KEY,
  JSON_RPC_REQUEST_ID,
  deadlineWithin,
  isDeadline,
  readDeadlineHeader,
  readIdempotencyKey,
} from './log-call.js';
export { LOG_EXCHANGE, LOG_EXCHANGE_TYPE, LOG_PUBLISH_KEY, LOG_ROUTING_KEYS, LOG_QUEUE, logQueues, type LogQueues } from './log-events.js';
// logs.proto and its gRPC types are at '@go-micro/contracts/logs-grpc', so a service without gRPC never loads it.
export { JsonRpcFramer, FramingError, type FramingOptions } from './go-jsonrpc/framing.js';
export { JsonRpcClient, type JsonRpcCallOptions, type JsonRpcClientOptions } from './go-jsonrpc/client.js';
export { JsonRpcServer, DEFAULT_JSON_RPC_LIMITS, DEADLINE_PASSED, type JsonRpcLimits, type RpcCall, type RpcMethod } from './go-jsonrpc/server.js';
export { goStructField } from './go-jsonrpc/go-struct.js';
export {
  USER_EXCHANGE,
  USER_EXCHANGE_TYPE,
  USER_REGISTERED_KEY,
  WELCOME_QUEUE,
  USER_NAME_MAX_CHARS,
  personName,
  storedPersonName,
  userRegistered,
  type UserRegistered,
} from './user-events.js';
