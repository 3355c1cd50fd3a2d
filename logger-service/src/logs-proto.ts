import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** proto/ at the repository root: two levels above src/ and dist/ alike, and in an image that keeps that layout. */
export const DEFAULT_PROTO_PATH = fileURLToPath(new URL('../../proto/logs.proto', import.meta.url));

export interface LogRequest {
  logEntry?: { name: string; data: string } | null;
}
export interface LogResponse {
  result: string;
}

/** The logs.LogService definition, read from the shared logs.proto at run time. */
export function loadLogService(protoPath = DEFAULT_PROTO_PATH): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(protoPath, { keepCase: true, defaults: true });
  const logs = grpc.loadPackageDefinition(definition).logs as grpc.GrpcObject;
  return logs.LogService as grpc.ServiceClientConstructor;
}
