import * as grpc from '@grpc/grpc-js';
import { IDEMPOTENCY_KEY_HEADER, JsonRpcServer, type RpcCall } from '@go-micro/contracts';
import { loadLogsProto, type LogRequest__Output, type LogServiceHandlers } from '@go-micro/contracts/logs-grpc';
import { createLogger, currentRequestId, REQUEST_ID_HEADER } from '@go-micro/toolkit';

// Stand-ins for logger-service's JSON-RPC and gRPC ports, built from the contract alone.
// (Its REST endpoint is stood in for by the kit's startStandIn.)

export interface StandInOptions {
  /** Never answer, like a logger stuck on a slow MongoDB. */
  hold?: boolean;
  /** Listen on this port (to come back where a stopped one was); a free one by default. */
  port?: number;
}

/** A JSON-RPC server speaking Go's codec with the logger's one method, RPCServer.LogInfo. */
export interface RpcLoggerStandIn {
  address: string;
  port: number;
  /** The argument of every call, as the client sent it (Go's struct: {Name, Data}). */
  calls: unknown[];
  /** What each call carried beside its argument (the deadline, an idempotency key), in the same order. */
  extras: RpcCall[];
  /** The request id each call was answered under (its `request_id` member), in the same order. */
  requestIds: (string | undefined)[];
  /** Clients connected now. */
  openConnections(): number;
  close(): Promise<void>;
}

export async function startRpcLogger(options: StandInOptions = {}): Promise<RpcLoggerStandIn> {
  const calls: unknown[] = [];
  const extras: RpcCall[] = [];
  const requestIds: (string | undefined)[] = [];
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = new JsonRpcServer(
    {
      'RPCServer.LogInfo': async (payload, extra) => {
        calls.push(payload);
        extras.push(extra);
        requestIds.push(currentRequestId());
        if (options.hold) await released;
        return `Processed payload via RPC:${(payload as { Name?: unknown }).Name}`;
      },
    },
    createLogger('logger-stand-in', { level: 'silent', pretty: false }),
  );
  const port = await server.listen(options.port ?? 0, '127.0.0.1');
  return {
    address: `127.0.0.1:${port}`,
    port,
    calls,
    extras,
    requestIds,
    openConnections: () => server.openConnections,
    close: () => {
      release(); // held calls answer, late, so the server can end their connections
      return server.close();
    },
  };
}

/** A gRPC server of logs.LogService from logs.proto, recording each WriteLog with the request id in its metadata. */
export interface GrpcLoggerStandIn {
  address: string;
  calls: { request: LogRequest__Output; requestId: string | undefined; idempotencyKey: string | undefined; deadline: Date | number }[];
  close(): void;
}

export async function startGrpcLogger(options: StandInOptions = {}): Promise<GrpcLoggerStandIn> {
  const calls: GrpcLoggerStandIn['calls'] = [];
  const handlers: LogServiceHandlers = {
    WriteLog: (call, callback) => {
      calls.push({
        request: call.request,
        requestId: call.metadata.get(REQUEST_ID_HEADER)[0]?.toString(),
        idempotencyKey: call.metadata.get(IDEMPOTENCY_KEY_HEADER)[0]?.toString(),
        deadline: call.getDeadline(),
      });
      if (!options.hold) callback(null, { result: 'logged!' });
    },
  };
  const server = new grpc.Server();
  server.addService(loadLogsProto().LogService.service, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, calls, close: () => server.forceShutdown() };
}
