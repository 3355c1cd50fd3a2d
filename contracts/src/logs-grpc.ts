import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType } from './generated/logs.js';

export type { LogServiceClient, LogServiceHandlers } from './generated/logs/LogService.js';
export type { LogRequest, LogRequest__Output } from './generated/logs/LogRequest.js';
export type { LogResponse } from './generated/logs/LogResponse.js';

/**
 * Set in the trailers of an error the logger itself answered (MongoDB down), so
 * a client tells it apart from an error of the channel (logger unreachable),
 * whose details carry addresses and must not reach a user.
 */
export const SERVICE_ERROR_TRAILER = 'x-service-error';

/** The largest LogRequest either side accepts: the largest entry (256 + 64 Ki characters) is under 200 KiB in UTF-8. */
export const MAX_LOG_MESSAGE_BYTES = 256 * 1024;

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
