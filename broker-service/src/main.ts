import { closeServer, createLogger, listen, runMain, ServiceClient, shutdownOnSignals } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { readConfig } from './config.js';
import { httpLogSink } from './downstream.js';
import { GrpcLogSink } from './log-grpc.js';
import { RabbitLogSink } from './log-rabbit.js';
import { JsonRpcLogSink } from './log-rpc.js';

const logger = createLogger('broker-service');

runMain(logger, async () => {
  const config = readConfig();
  logger.level = config.LOG_LEVEL;
  const timeoutMs = config.UPSTREAM_TIMEOUT_MS;
  const client = (name: string, baseUrl: string) => new ServiceClient({ name, baseUrl, timeoutMs });

  // Every client connects lazily or in the background: the broker starts, and answers 5xx naming what is missing, whatever is down.
  const rpc = new JsonRpcLogSink({ address: config.LOGGER_RPC_ADDR, timeoutMs, logger });
  const grpc = new GrpcLogSink({ address: config.LOGGER_GRPC_ADDR, timeoutMs, ...(config.PROTO_PATH ? { protoPath: config.PROTO_PATH } : {}) });
  const rabbit = new RabbitLogSink({ url: config.RABBIT_URL, timeoutMs, logger });

  const app = createApp(logger, {
    authService: client('authentication-service', config.AUTH_SERVICE_URL),
    mailService: client('mail-service', config.MAIL_SERVICE_URL),
    logVia: { rpc, grpc, rabbit, http: httpLogSink(client('logger-service', config.LOGGER_SERVICE_URL)) },
  });
  const server = await listen(app, config.PORT);
  logger.info({ port: config.PORT }, 'broker-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    { name: 'JSON-RPC connection', close: () => rpc.close() },
    { name: 'gRPC client', close: () => grpc.close() },
    { name: 'RabbitMQ connection', close: () => rabbit.close() },
  ]);
});
