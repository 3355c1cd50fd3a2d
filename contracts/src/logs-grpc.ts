import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType } from './generated/logs.js';

export type { LogServiceClient, LogServiceHandlers } from './generated/logs/LogService.js';
export type { LogRequest, LogRequest__Output } from './generated/logs/LogRequest.js';
export type { LogResponse } from './generated/logs/LogResponse.js';

/** logs.proto beside src/ and dist/ of this package, in the repository and in every image alike. */
export const LOGS_PROTO_PATH = fileURLToPath(new URL('../proto/logs.proto', import.meta.url));

/**
 * The logs package read from logs.proto at run time, typed by the interfaces
 * proto-loader-gen-types generated from the same file (`npm run generate -w contracts`).
 */
export function loadLogsProto(protoPath = LOGS_PROTO_PATH): ProtoGrpcType['logs'] {
  const definition = protoLoader.loadSync(protoPath, { keepCase: true, defaults: true });
  return (grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType).logs;
}
