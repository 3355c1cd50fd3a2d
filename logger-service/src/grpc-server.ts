import { createServer, type AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { IDEMPOTENCY_KEY_HEADER, logEntry, readIdempotencyKey } from '@go-micro/contracts';
import { loadLogsProto, MAX_LOG_MESSAGE_BYTES, SERVICE_ERROR_TRAILER, type LogServiceHandlers } from '@go-micro/contracts/logs-grpc';
import { acceptRequestId, extractFromMetadata, failSpan, gatewayTimeout, HttpError, REQUEST_ID_HEADER, runWithRequestId, SpanKind, validate, withSpan, type Logger } from '@go-micro/toolkit';
import type { LogWriter } from './logs-store.js';

export interface GrpcServerOptions {
  logs: LogWriter;
  logger: Logger;
  port: number;
  host?: string;
  protoPath?: string;
}

export interface RunningGrpcServer {
  port: number;
  close(): Promise<void>;
}

/** Connections the gRPC port holds at once; more are closed as they arrive. */
export const GRPC_MAX_CONNECTIONS = 128;

/**
 * The bounds of the gRPC port: grpc-js's defaults take 4 MiB messages, any
 * number of connections, and keep an idle connection forever.
 */
export const GRPC_SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': MAX_LOG_MESSAGE_BYTES,
  'grpc.max_send_message_length': 64 * 1024,
  'grpc.max_concurrent_streams': 100,
  // A connection without a call for a minute is closed (GOAWAY); the broker's channel reconnects when it next calls.
  'grpc.max_connection_idle_ms': 60_000,
  // Pings a quiet connection every 30 s and drops it if no answer comes in 10 s: a vanished peer is found.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  // Memory one connection may hold in HTTP/2 frames not yet handled (grpc-js otherwise sets no limit).
  'grpc-node.max_session_memory': 32,
};

/** A user-fit HttpError keeps its words, marked as the service's own; the status becomes the nearest gRPC code. */
function toGrpcError(err: unknown, logger: Logger): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set(SERVICE_ERROR_TRAILER, '1');
  if (!(err instanceof HttpError)) {
    logger.error({ err }, 'gRPC WriteLog failed');
    return { code: grpc.status.INTERNAL, details: 'internal error', metadata };
  }
  const code =
    err.status === 400 ? grpc.status.INVALID_ARGUMENT
    : err.status === 503 ? grpc.status.UNAVAILABLE
    : err.status === 504 ? grpc.status.DEADLINE_EXCEEDED
    : grpc.status.INTERNAL;
  if (err.status >= 500) logger.warn({ reason: err.message, cause: (err.cause as Error | undefined)?.message }, 'gRPC WriteLog failed');
  return { code, details: err.message, metadata };
}

/** A call's deadline in milliseconds since the epoch, or undefined when it has none (grpc-js gives Infinity then). */
function deadlineOf(call: grpc.ServerUnaryCall<unknown, unknown>): number | undefined {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The logs.LogService server: WriteLog stores the entry and answers "logged!",
 * as the course's did. The write is bounded by the call's deadline, and not
 * started for a call its client has already given up; an idempotency-key in
 * the metadata becomes the entry's event id.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { logs, logger } = options;
  const writeLog: LogServiceHandlers['WriteLog'] = (call, callback) => {
    const requestId = acceptRequestId(call.metadata.get(REQUEST_ID_HEADER)[0]?.toString());
    const attributes = { 'rpc.system': 'grpc', 'rpc.service': 'logs.LogService', 'rpc.method': 'WriteLog' };
    const traced = { kind: SpanKind.SERVER, attributes, parent: extractFromMetadata(call.metadata) };
    void runWithRequestId(requestId, () =>
      withSpan('logs.LogService/WriteLog', traced, async (span) => {
        try {
          const entry = validate(logEntry, { name: call.request.logEntry?.name ?? '', data: call.request.logEntry?.data ?? '' });
          const eventId = readIdempotencyKey(call.metadata.get(IDEMPOTENCY_KEY_HEADER)[0]?.toString());
          if (call.cancelled) throw gatewayTimeout('MongoDB');
          await logs.write({ ...entry, ...(eventId ? { event_id: eventId } : {}) }, { deadline: deadlineOf(call) });
          // One line per call at info, under its request id and trace id: a grep of either finds this hop.
          logger.info({ method: 'WriteLog' }, 'gRPC call answered');
          callback(null, { result: 'logged!' });
        } catch (err) {
          failSpan(span, err);
          const status = toGrpcError(err, logger);
          logger.info({ method: 'WriteLog', error: status.details }, 'gRPC call answered');
          callback(status);
        }
      }),
    );
  };

  const server = new grpc.Server(GRPC_SERVER_OPTIONS);
  const handlers: LogServiceHandlers = { WriteLog: writeLog };
  server.addService(loadLogsProto(options.protoPath).LogService.service, handlers);
  // grpc-js has no cap on connections: our own TCP listener counts them and hands each one it keeps to grpc-js.
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener = createServer((socket) => injector.injectConnection(socket));
  listener.maxConnections = GRPC_MAX_CONNECTIONS;
  listener.on('drop', () => logger.warn({ maxConnections: GRPC_MAX_CONNECTIONS }, 'gRPC: too many connections, refusing one'));
  const port = await new Promise<number>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port, options.host ?? '127.0.0.1', () => resolve((listener.address() as AddressInfo).port));
  });
  return {
    port,
    // Takes no new connection, lets calls in flight finish; after 5 s, cuts what is left.
    close: () =>
      new Promise<void>((resolve) => {
        listener.close();
        const force = setTimeout(() => {
          injector.destroy();
          server.forceShutdown();
        }, 5_000);
        injector.drain(5_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
