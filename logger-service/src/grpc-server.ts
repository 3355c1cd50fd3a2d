import * as grpc from '@grpc/grpc-js';
import { logEntry } from '@go-micro/contracts';
import { loadLogsProto, type LogServiceHandlers } from '@go-micro/contracts/logs-grpc';
import { acceptRequestId, HttpError, REQUEST_ID_HEADER, runWithRequestId, validate, type Logger } from '@go-micro/toolkit';
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

/** A user-fit HttpError keeps its words; the status becomes the nearest gRPC code. */
function toGrpcError(err: unknown, logger: Logger): Partial<grpc.StatusObject> {
  if (!(err instanceof HttpError)) {
    logger.error({ err }, 'gRPC WriteLog failed');
    return { code: grpc.status.INTERNAL, details: 'internal error' };
  }
  const code =
    err.status === 400 ? grpc.status.INVALID_ARGUMENT
    : err.status === 503 ? grpc.status.UNAVAILABLE
    : err.status === 504 ? grpc.status.DEADLINE_EXCEEDED
    : grpc.status.INTERNAL;
  if (err.status >= 500) logger.warn({ reason: err.message }, 'gRPC WriteLog failed');
  return { code, details: err.message };
}

/** The logs.LogService server: WriteLog stores the entry and answers "logged!", as the course's did. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { logs, logger } = options;
  const writeLog: LogServiceHandlers['WriteLog'] = (call, callback) => {
    const requestId = acceptRequestId(call.metadata.get(REQUEST_ID_HEADER)[0]?.toString());
    void runWithRequestId(requestId, async () => {
      try {
        const entry = validate(logEntry, { name: call.request.logEntry?.name ?? '', data: call.request.logEntry?.data ?? '' });
        await logs.write(entry);
        callback(null, { result: 'logged!' });
      } catch (err) {
        callback(toGrpcError(err, logger));
      }
    });
  };

  const server = new grpc.Server();
  const handlers: LogServiceHandlers = { WriteLog: writeLog };
  server.addService(loadLogsProto(options.protoPath).LogService.service, handlers);
  const address = `${options.host ?? '0.0.0.0'}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    port,
    // Lets calls in flight finish; after 5 s, cuts what is left.
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 5_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
