import { closeServer, createLogger, listen, runMain, serviceUnavailable, ServiceClient, shutdownOnSignals } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { readConfig } from './config.js';
import { httpLogSink, type LogSink } from './downstream.js';

const logger = createLogger('broker-service');

// Until the logging issue lands these transports have no client; they answer 503 naming what is missing.
const notBuiltYet = (what: string): LogSink => ({
  log: () => Promise.reject(serviceUnavailable(`${what} (not built yet)`)),
});

runMain(logger, async () => {
  const config = readConfig();
  const timeoutMs = config.UPSTREAM_TIMEOUT_MS;
  const client = (name: string, baseUrl: string) => new ServiceClient({ name, baseUrl, timeoutMs });

  const app = createApp(logger, {
    authService: client('authentication-service', config.AUTH_SERVICE_URL),
    mailService: client('mail-service', config.MAIL_SERVICE_URL),
    logVia: {
      rpc: notBuiltYet('logger-service JSON-RPC'),
      grpc: notBuiltYet('logger-service gRPC'),
      rabbit: notBuiltYet('RabbitMQ'),
      http: httpLogSink(client('logger-service', config.LOGGER_SERVICE_URL)),
    },
  });
  const server = await listen(app, config.PORT);
  logger.info({ port: config.PORT }, 'broker-service listening');

  shutdownOnSignals(logger, [{ name: 'http server', close: () => closeServer(server) }]);
});
