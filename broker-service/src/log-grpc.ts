import * as grpc from '@grpc/grpc-js';
import { badGateway, currentRequestId, gatewayTimeout, REQUEST_ID_HEADER, serviceUnavailable } from '@go-micro/toolkit';
import type { LogSink } from './downstream.js';
import { loadLogService } from './logs-proto.js';

const SERVICE = 'logger-service';

type WriteLog = (
  request: { logEntry: { name: string; data: string } },
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: { result: string }) => void,
) => void;

/**
 * The logger's LogService over one long-lived gRPC channel (grpc-js keeps it
 * connected and reconnects). Each call has a deadline and carries the request
 * id in the metadata. UNAVAILABLE answers 503, DEADLINE_EXCEEDED 504.
 */
export class GrpcLogSink implements LogSink {
  private readonly client: grpc.Client & { WriteLog: WriteLog };

  constructor(private readonly options: { address: string; timeoutMs: number; protoPath?: string }) {
    const LogService = loadLogService(options.protoPath);
    this.client = new LogService(options.address, grpc.credentials.createInsecure(), {
      // A logger back after an outage is found within seconds, not grpc's default two minutes.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2_000,
    }) as unknown as grpc.Client & { WriteLog: WriteLog };
  }

  log(entry: { name: string; data: string }): Promise<string> {
    const metadata = new grpc.Metadata();
    const requestId = currentRequestId();
    if (requestId) metadata.set(REQUEST_ID_HEADER, requestId);
    const deadline = Date.now() + this.options.timeoutMs;
    return new Promise((resolve, reject) => {
      this.client.WriteLog({ logEntry: { name: entry.name, data: entry.data } }, metadata, { deadline }, (err, response) => {
        if (!err) resolve(response?.result ?? '');
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
