import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { freePorts } from '@go-micro/testkit/free-port.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { startService, type ServiceProcess } from '@go-micro/testkit/service-process.js';
import { LogsReader, uniqueName } from '../../logger-service/test/logger-harness.js';

// The built services (dist/main.js), started as `make dev` starts them: proves main.ts, config and the proto path.
let ferret: FerretDB;
let vhost: TestVhost;
let reader: LogsReader;
let services: ServiceProcess[] = [];
let brokerUrl: string;

beforeAll(async () => {
  [ferret, vhost] = await Promise.all([startFerretDB(), createTestVhost()]);
  reader = new LogsReader(ferret.url);
  const [loggerPort, rpcPort, grpcPort, listenerPort, brokerPort] = await freePorts(5);
  const loggerUrl = `http://127.0.0.1:${loggerPort}`;
  brokerUrl = `http://127.0.0.1:${brokerPort}`;
  const logger = await startService(
    'logger-service',
    'logger-service',
    { PORT: `${loggerPort}`, RPC_PORT: `${rpcPort}`, GRPC_PORT: `${grpcPort}`, MONGO_URL: ferret.url },
    `${loggerUrl}/ping`,
  );
  const listener = await startService(
    'listener-service',
    'listener-service',
    { PORT: `${listenerPort}`, RABBIT_URL: vhost.url, LOGGER_SERVICE_URL: loggerUrl },
    `http://127.0.0.1:${listenerPort}/health`,
  );
  const broker = await startService(
    'broker-service',
    'broker-service',
    {
      PORT: `${brokerPort}`,
      LOGGER_SERVICE_URL: loggerUrl,
      LOGGER_RPC_ADDR: `127.0.0.1:${rpcPort}`,
      LOGGER_GRPC_ADDR: `127.0.0.1:${grpcPort}`,
      RABBIT_URL: vhost.url,
    },
    `${brokerUrl}/ping`,
  );
  services = [broker, listener, logger];
});
afterAll(async () => {
  for (const service of services) await service.stop();
  await reader?.close();
  await vhost?.delete();
  await ferret?.stop();
});

describe('logger, listener and broker as processes', () => {
  it('when the page logs over each of the four transports, every entry is stored once', async () => {
    const names = { rpc: uniqueName('proc-rpc'), grpc: uniqueName('proc-grpc'), rabbit: uniqueName('proc-rabbit'), http: uniqueName('proc-http') };
    const body = (name: string) => ({ action: 'log', log: { name, data: 'from the page' } });

    const replies = await Promise.all([
      postJSON(`${brokerUrl}/handle`, body(names.rpc)),
      postJSON(`${brokerUrl}/log-grpc`, body(names.grpc)),
      postJSON(`${brokerUrl}/log-rabbit`, body(names.rabbit)),
      postJSON(`${brokerUrl}/log-http`, body(names.http)),
    ]);

    expect(replies.map(({ status, body }) => [status, body.message])).toEqual([
      [202, `Processed payload via RPC:${names.rpc}`],
      [202, 'logged'],
      [202, 'logged via RabbitMQ'],
      [202, 'logged'],
    ]);
    const stored = await reader.waitForEntries({ name: { $in: Object.values(names) } }, 4);
    expect(stored.map((entry) => entry.name).sort()).toEqual(Object.values(names).sort());
  });

  it('when sent SIGTERM, each service closes its connections and exits with code 0', async () => {
    for (const service of services) {
      await service.stop();
      expect({ name: service.name, code: service.exitCode() }).toEqual({ name: service.name, code: 0 });
    }
  });
});
