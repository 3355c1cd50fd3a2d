import { closeServer, listen, runService, shutdownOnSignals } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { configSchema } from './config.js';
import { perMinute } from './rate-limit.js';
import { connectUpstreams } from './upstreams.js';

runService('broker-service', configSchema, async ({ config, logger }) => {
  const upstreams = connectUpstreams(
    {
      authUrl: config.AUTH_SERVICE_URL,
      mailUrl: config.MAIL_SERVICE_URL,
      loggerUrl: config.LOGGER_SERVICE_URL,
      rpcAddress: config.LOGGER_RPC_ADDR,
      grpcAddress: config.LOGGER_GRPC_ADDR,
      rabbitUrl: config.RABBIT_URL,
      protoPath: config.PROTO_PATH,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      maxInFlight: config.UPSTREAM_MAX_IN_FLIGHT,
    },
    logger,
  );
  const { logTransports } = upstreams;
  const app = createApp(
    logger,
    { ...upstreams, mailLimit: perMinute('mails', config.MAIL_PER_MINUTE) },
    { corsOrigins: config.CORS_ORIGINS, trustProxy: config.TRUST_PROXY, ready: () => logTransports.rabbit.ready() },
  );
  const server = await listen(app, config.PORT, { host: config.BIND_ADDR, maxConnections: config.MAX_CONNECTIONS });
  logger.info({ port: config.PORT }, 'broker-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    ...Object.entries(logTransports).map(([name, transport]) => ({ name: `${name} log transport`, close: () => transport.close() })),
  ]);
});
