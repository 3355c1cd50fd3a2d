import { randomBytes } from 'node:crypto';
import { closeServer, listen, runService, shutdownOnSignals, waitFor } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { configSchema } from './config.js';
import { adminLogin } from './dashboard/admin-login.js';
import { dashboardSession, loginFormCsrf } from './dashboard/session.js';
import { startGrpcServer } from './grpc-server.js';
import { LogsAdminStore } from './logs-admin-store.js';
import { LogsStore } from './logs-store.js';
import { createMongoClient } from './mongo-client.js';
import { createRpcServer } from './rpc-server.js';

runService('logger-service', configSchema, async ({ config, logger }) => {
  const mongo = createMongoClient(config);
  const logs = new LogsStore(mongo);
  // connect() on every attempt: after a failed first connection the driver (7.x) keeps the closed
  // topology, and an operation alone then fails with "Topology is closed" however long MongoDB has been up.
  await waitFor('MongoDB', logger, async () => {
    await mongo.connect();
    await logs.ensureIndexes();
  });

  if (!config.SESSION_SECRET) logger.warn('SESSION_SECRET is not set: dashboard sessions are signed with a random secret and end with this process');
  const cookies = { secret: config.SESSION_SECRET ?? randomBytes(32).toString('base64url'), secureCookie: config.SECURE_COOKIE ?? false };
  const dashboard = {
    entries: new LogsAdminStore(mongo),
    login: adminLogin({ baseUrl: config.AUTH_SERVICE_URL, timeoutMs: 5_000 }),
    session: dashboardSession({ mongo, ...cookies }),
    loginCsrf: loginFormCsrf(cookies),
  };

  const host = config.BIND_ADDR;
  const server = await listen(createApp({ logger, logs, dashboard, ready: () => logs.ping(), trustProxy: config.TRUST_PROXY }), config.PORT, { host, maxConnections: config.MAX_CONNECTIONS });
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
