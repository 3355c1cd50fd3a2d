import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Log as _logs_Log, Log__Output as _logs_Log__Output } from './logs/Log.js';
import type { LogRequest as _logs_LogRequest, LogRequest__Output as _logs_LogRequest__Output } from './logs/LogRequest.js';
import type { LogResponse as _logs_LogResponse, LogResponse__Output as _logs_LogResponse__Output } from './logs/LogResponse.js';
import type { LogServiceClient as _logs_LogServiceClient, LogServiceDefinition as _logs_LogServiceDefinition } from './logs/LogService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  logs: {
    Log: MessageTypeDefinition<_logs_Log, _logs_Log__Output>
    LogRequest: MessageTypeDefinition<_logs_LogRequest, _logs_LogRequest__Output>
    LogResponse: MessageTypeDefinition<_logs_LogResponse, _logs_LogResponse__Output>
    LogService: SubtypeConstructor<typeof grpc.Client, _logs_LogServiceClient> & { service: _logs_LogServiceDefinition }
  }
}

