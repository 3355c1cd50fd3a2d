import { Bulkhead, timeCall, type Logger, type Transport } from '@go-micro/toolkit';
import { ServiceClient } from '@go-micro/toolkit/client';
import type { BrokerDeps } from './handlers.js';
import { GrpcLog } from './log-grpc.js';
import { HttpLog } from './log-http.js';
import { RabbitLog } from './log-rabbit.js';
import { RpcLog } from './log-rpc.js';
import type { LogTransport } from './log-transport.js';

/** Where the broker finds the services it calls, and how long and how many calls it lets wait on each. */
export interface UpstreamSettings {
  authUrl: string;
  mailUrl: string;
  loggerUrl: string;
  rpcAddress: string;
  grpcAddress: string;
  rabbitUrl: string;
  protoPath?: string | undefined;
  timeoutMs: number;
  /** Calls in flight to one dependency at most (UPSTREAM_MAX_IN_FLIGHT). */
  maxInFlight: number;
}

/**
 * The clients of every dependency. Each call passes its dependency's bulkhead,
 * one per service whatever the transport (a slow logger cannot hold the
 * connections /log-rabbit needs), and is timed into /metrics. Every client
 * connects lazily or in the background: the broker starts, and answers 5xx
 * naming what is missing, whatever is down.
 */
export function connectUpstreams(settings: UpstreamSettings, logger: Logger) {
  const { timeoutMs } = settings;
  const bulkhead = (name: string) => new Bulkhead(name, settings.maxInFlight);
  const loggerService = bulkhead('logger-service');
  const client = (name: string, baseUrl: string, shared = bulkhead(name)) => new ServiceClient({ name, baseUrl, timeoutMs, bulkhead: shared });
  return {
    authService: client('authentication-service', settings.authUrl),
    mailService: client('mail-service', settings.mailUrl),
    logTransports: {
      rpc: bounded(new RpcLog({ address: settings.rpcAddress, timeoutMs, logger }), loggerService, 'jsonrpc'),
      grpc: bounded(new GrpcLog({ address: settings.grpcAddress, timeoutMs, ...(settings.protoPath ? { protoPath: settings.protoPath } : {}) }), loggerService, 'grpc'),
      rabbit: bounded(new RabbitLog({ url: settings.rabbitUrl, timeoutMs, logger }), bulkhead('RabbitMQ'), 'amqp'),
      // Bounded and timed by its ServiceClient, as every REST call is.
      http: new HttpLog(client('logger-service', settings.loggerUrl, loggerService), timeoutMs),
    },
  } satisfies Omit<BrokerDeps, 'mailLimit'>;
}

/** A log transport whose calls pass `bulkhead` (503 at once when too many wait) and are timed into outbound_request_duration_seconds. */
function bounded<T extends LogTransport>(transport: T, bulkhead: Bulkhead, kind: Transport): T {
  const log = transport.log.bind(transport);
  transport.log = (entry, options) => bulkhead.run(() => timeCall(bulkhead.name, kind, () => log(entry, options)));
  return transport;
}
