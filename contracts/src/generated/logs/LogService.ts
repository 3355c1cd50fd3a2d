// Original file: contracts/proto/logs.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { LogRequest as _logs_LogRequest, LogRequest__Output as _logs_LogRequest__Output } from '../logs/LogRequest.js';
import type { LogResponse as _logs_LogResponse, LogResponse__Output as _logs_LogResponse__Output } from '../logs/LogResponse.js';

export interface LogServiceClient extends grpc.Client {
  WriteLog(argument: _logs_LogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  WriteLog(argument: _logs_LogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  WriteLog(argument: _logs_LogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  WriteLog(argument: _logs_LogRequest, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  writeLog(argument: _logs_LogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  writeLog(argument: _logs_LogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  writeLog(argument: _logs_LogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  writeLog(argument: _logs_LogRequest, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface LogServiceHandlers extends grpc.UntypedServiceImplementation {
  WriteLog: grpc.handleUnaryCall<_logs_LogRequest__Output, _logs_LogResponse>;
  
}

export interface LogServiceDefinition extends grpc.ServiceDefinition {
  WriteLog: MethodDefinition<_logs_LogRequest, _logs_LogResponse, _logs_LogRequest__Output, _logs_LogResponse__Output>
}
