import { closeServer, listen, runService, shutdownOnSignals, waitFor } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { configSchema } from './config.js';
import { startGrpcServer } from './grpc-server.js';
import { LogsStore } from './logs-store.js';
import { createMongoClient } from './mongo-client.js';
import { createRpcServer } from './rpc-server.js';

runService('logger-service', configSchema, async ({ config, logger }) => {
  const mongo = createMongoClient(config);
  const logs = new LogsStore(mongo);
  await waitFor('MongoDB', logger, () => logs.ensureIndexes());

  const host = config.BIND_ADDR;
  const server = await listen(createApp({ logger, logs, ready: () => logs.ping() }), config.PORT, { host, maxConnections: config.MAX_CONNECTIONS });
  const rpc = createRpcServer(logs, logger);
  await rpc.listen(config.RPC_PORT, host);
  const grpcServer = await startGrpcServer({ logs, logger, port: config.GRPC_PORT, host, ...(config.PROTO_PATH ? { protoPath: config.PROTO_PATH } : {}) });
  logger.info({ host, port: config.PORT, rpcPort: config.RPC_PORT, grpcPort: config.GRPC_PORT }, 'logger-service listening');

  shutdownOnSignals(logger, [
    { name: 'http server', close: () => closeServer(server) },
    { name: 'JSON-RPC server', close: () => rpc.close() },
    { name: 'gRPC server', close: () => grpcServer.close() },
    { name: 'MongoDB client', close: () => mongo.close() },
  ]);
});
