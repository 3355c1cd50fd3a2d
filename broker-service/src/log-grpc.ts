import * as grpc from '@grpc/grpc-js';
import { IDEMPOTENCY_KEY_HEADER, type LogEntry } from '@go-micro/contracts';
import { loadLogsProto, MAX_LOG_MESSAGE_BYTES, SERVICE_ERROR_TRAILER, type LogServiceClient } from '@go-micro/contracts/logs-grpc';
import { badGateway, currentRequestId, failSpan, gatewayTimeout, HttpError, injectIntoMetadata, REQUEST_ID_HEADER, serviceUnavailable, SpanKind, withSpan } from '@go-micro/toolkit';
import type { LogOptions, LogTransport } from './log-transport.js';

const SERVICE = 'logger-service';

/**
 * A failed call in the one mapping of every transport. An error the logger
 * answered itself (marked in its trailers) keeps its words: "logger-service
 * failed: MongoDB is unavailable", 503 for UNAVAILABLE, 504 for
 * DEADLINE_EXCEEDED, 400 for INVALID_ARGUMENT, 502 otherwise. An error of the
 * channel (no connection, deadline, a message too large) carries grpc-js's
 * details with addresses: only the kind goes to the caller, the details to the log.
 */
export function grpcFailure(err: grpc.ServiceError): HttpError {
  if (err.metadata?.get(SERVICE_ERROR_TRAILER).length) {
    const status =
      err.code === grpc.status.UNAVAILABLE ? 503
      : err.code === grpc.status.DEADLINE_EXCEEDED ? 504
      : err.code === grpc.status.INVALID_ARGUMENT ? 400
      : 502;
    return new HttpError(status, status === 400 ? err.details : `${SERVICE} failed: ${err.details}`, { cause: err });
  }
  if (err.code === grpc.status.UNAVAILABLE) return serviceUnavailable(SERVICE, err);
  if (err.code === grpc.status.DEADLINE_EXCEEDED) return gatewayTimeout(SERVICE, err);
  return badGateway(SERVICE, 'gave a bad answer', err);
}

/**
 * The logger's LogService over one long-lived gRPC channel (grpc-js keeps it
 * connected and reconnects). Each call has a deadline, gRPC's own, which the
 * logger reads too, and carries the request id, the W3C traceparent and the
 * idempotency key in the metadata; failures map as grpcFailure says.
 */
export class GrpcLog implements LogTransport {
  private readonly client: LogServiceClient;

  constructor(private readonly options: { address: string; timeoutMs: number; protoPath?: string }) {
    const { LogService } = loadLogsProto(options.protoPath);
    this.client = new LogService(options.address, grpc.credentials.createInsecure(), {
      // A logger back after an outage is found within seconds, not grpc's default two minutes.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2_000,
      // The reply is one short string; anything large is not the logger.
      'grpc.max_receive_message_length': 64 * 1024,
      'grpc.max_send_message_length': MAX_LOG_MESSAGE_BYTES,
    });
  }

  /** Answers "logged" once the logger said "logged!", as the course's /log-grpc did. */
  log(entry: LogEntry, options: LogOptions = {}): Promise<string> {
    const attributes = { 'rpc.system': 'grpc', 'rpc.service': 'logs.LogService', 'rpc.method': 'WriteLog', 'peer.service': SERVICE };
    return withSpan('logs.LogService/WriteLog', { kind: SpanKind.CLIENT, attributes }, (span) => {
      const metadata = new grpc.Metadata();
      const requestId = currentRequestId();
      if (requestId) metadata.set(REQUEST_ID_HEADER, requestId);
      if (options.idempotencyKey) metadata.set(IDEMPOTENCY_KEY_HEADER, options.idempotencyKey);
      injectIntoMetadata(metadata);
      const deadline = Date.now() + this.options.timeoutMs;
      return new Promise<string>((resolve, reject) => {
        this.client.WriteLog({ logEntry: { name: entry.name, data: entry.data } }, metadata, { deadline }, (err) => {
          if (!err) resolve('logged');
          else {
            span.setAttribute('rpc.grpc.status_code', err.code);
            failSpan(span, err);
            reject(grpcFailure(err));
          }
        });
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
