import { closeServer, listen, runService, shutdownOnSignals, timeCall, type Transport } from '@go-micro/toolkit';
import { ServiceClient } from '@go-micro/toolkit/client';
import { createApp } from './app.js';
import { configSchema } from './config.js';
import { GrpcLog } from './log-grpc.js';
import { HttpLog } from './log-http.js';
import { RabbitLog } from './log-rabbit.js';
import { RpcLog } from './log-rpc.js';
import type { LogTransport } from './log-transport.js';
import { perMinute } from './rate-limit.js';

runService('broker-service', configSchema, async ({ config, logger }) => {
  const timeoutMs = config.UPSTREAM_TIMEOUT_MS;
  const client = (name: string, baseUrl: string) => new ServiceClient({ name, baseUrl, timeoutMs });

  // Every client connects lazily or in the background: the broker starts, and answers 5xx naming what is missing, whatever is down.
  const logTransports = {
    rpc: timed(new RpcLog({ address: config.LOGGER_RPC_ADDR, timeoutMs, logger }), 'logger-service', 'jsonrpc'),
    grpc: timed(new GrpcLog({ address: config.LOGGER_GRPC_ADDR, timeoutMs, ...(config.PROTO_PATH ? { protoPath: config.PROTO_PATH } : {}) }), 'logger-service', 'grpc'),
    rabbit: timed(new RabbitLog({ url: config.RABBIT_URL, timeoutMs, logger }), 'RabbitMQ', 'amqp'),
    // Timed by its ServiceClient, as every REST call is.
    http: new HttpLog(client('logger-service', config.LOGGER_SERVICE_URL)),
  };
  const app = createApp(
    logger,
    {
      authService: client('authentication-service', config.AUTH_SERVICE_URL),
      mailService: client('mail-service', config.MAIL_SERVICE_URL),
      logTransports,
      mailLimit: perMinute('mails', config.MAIL_PER_MINUTE),
    },
    { corsOrigins: config.CORS_ORIGINS, trustProxy: config.TRUST_PROXY, ready: () => logTransports.rabbit.ready() },
  );
  const server = await listen(app, config.PORT, { host: config.BIND_ADDR, maxConnections: config.MAX_CONNECTIONS });
  logger.info({ port: config.PORT }, 'broker-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    ...Object.entries(logTransports).map(([name, transport]) => ({ name: `${name} log transport`, close: () => transport.close() })),
  ]);
});

/** A log transport whose calls are timed into outbound_request_duration_seconds (GET /metrics). */
function timed<T extends LogTransport>(transport: T, target: string, kind: Transport): T {
  const log = transport.log.bind(transport);
  transport.log = (entry) => timeCall(target, kind, () => log(entry));
  return transport;
}
