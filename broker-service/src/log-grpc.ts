import * as grpc from '@grpc/grpc-js';
import { type LogEntry } from '@go-micro/contracts';
import { loadLogsProto, type LogServiceClient } from '@go-micro/contracts/logs-grpc';
import { badGateway, currentRequestId, gatewayTimeout, REQUEST_ID_HEADER, serviceUnavailable } from '@go-micro/toolkit';
import type { LogTransport } from './log-transport.js';

const SERVICE = 'logger-service';

/**
 * The logger's LogService over one long-lived gRPC channel (grpc-js keeps it
 * connected and reconnects). Each call has a deadline and carries the request
 * id in the metadata. UNAVAILABLE answers 503, DEADLINE_EXCEEDED 504.
 */
export class GrpcLog implements LogTransport {
  private readonly client: LogServiceClient;

  constructor(private readonly options: { address: string; timeoutMs: number; protoPath?: string }) {
    const { LogService } = loadLogsProto(options.protoPath);
    this.client = new LogService(options.address, grpc.credentials.createInsecure(), {
      // A logger back after an outage is found within seconds, not grpc's default two minutes.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
  }

  /** Answers "logged" once the logger said "logged!", as the course's /log-grpc did. */
  log(entry: LogEntry): Promise<string> {
    const metadata = new grpc.Metadata();
    const requestId = currentRequestId();
    if (requestId) metadata.set(REQUEST_ID_HEADER, requestId);
    const deadline = Date.now() + this.options.timeoutMs;
    return new Promise((resolve, reject) => {
      this.client.WriteLog({ logEntry: { name: entry.name, data: entry.data } }, metadata, { deadline }, (err) => {
        if (!err) resolve('logged');
        else if (err.code === grpc.status.UNAVAILABLE) reject(serviceUnavailable(SERVICE, err));
        else if (err.code === grpc.status.DEADLINE_EXCEEDED) reject(gatewayTimeout(SERVICE, err));
        else reject(badGateway(SERVICE, `failed: ${err.details}`, err));
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
