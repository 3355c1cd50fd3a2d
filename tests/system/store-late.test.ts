import { afterAll, describe, expect, it } from 'vitest';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { freePorts } from '@go-micro/testkit/free-port.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { serviceHealthy, spawnService, type ServiceProcess } from '@go-micro/testkit/service-process.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';

// The logger as a process, started before its MongoDB, as a swarm or a machine's boot may start them.
let ferret: FerretDB | undefined;
let logger: ServiceProcess | undefined;
afterAll(async () => {
  await logger?.stop();
  await ferret?.stop();
});

describe('the logger started before MongoDB', () => {
  it('keeps trying, and once MongoDB is up it connects, answers ready and stores entries', async () => {
    const [mongoPort, port, rpcPort, grpcPort] = await freePorts(4);
    const url = `http://127.0.0.1:${port}`;
    logger = spawnService('logger', {
      port: port!,
      env: {
        MONGO_URL: `mongodb://127.0.0.1:${mongoPort}`,
        RPC_PORT: String(rpcPort),
        GRPC_PORT: String(grpcPort),
        AUTH_SERVICE_URL: 'http://127.0.0.1:9',
        // Each attempt gives up within half a second, so several fail before MongoDB is up.
        MONGO_TIMEOUT_MS: '500',
      },
    });
    // Two attempts have found nothing listening before MongoDB starts.
    await logger.waitForOutput(/waiting for MongoDB[\s\S]*waiting for MongoDB/, 30_000);
    ferret = await startFerretDB({ port: mongoPort });
    await serviceHealthy(logger, port!);

    expect(logger.output()).not.toContain('Topology is closed');
    const { status } = await postJSON(`${url}/log`, { name: uniqueName('late'), data: 'stored after MongoDB came up' });
    expect(status).toBe(202);
  }, 60_000);
});
