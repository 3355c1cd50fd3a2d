import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { execa } from 'execa';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnManaged, type ManagedProcess } from '@go-micro/testkit/managed-process.js';
import { startTracing, stopTracing } from '@go-micro/toolkit';
import { JsonRpcClient } from '../src/go-jsonrpc/client.js';

const exporter = new InMemorySpanExporter();
const logger = pino({ level: 'silent' });
let server: ManagedProcess;
let address: string;
const binary = join(tmpdir(), `go-jsonrpc-server-${process.pid}`);

beforeAll(async () => {
  await startTracing('contracts-test', logger, {}, [new SimpleSpanProcessor(exporter)]);
  const program = new URL('./go-jsonrpc-server/main.go', import.meta.url).pathname;
  // Built, then run, so that killing it kills the server itself (go run would leave its child behind).
  await execa('go', ['build', '-o', binary, program], { timeout: 120_000 });
  server = spawnManaged('go-jsonrpc-server', binary, []);
  // Its first line is the address it listens on.
  [address] = await server.waitForOutput(/^\S+$/m, 30_000);
}, 120_000);
afterAll(async () => {
  await stopTracing();
  await server?.stop();
  await rm(binary, { force: true });
});

describe("our JSON-RPC client against Go's own net/rpc/jsonrpc server", () => {
  it('when the call carries a traceparent as an extra member, the Go server ignores it and answers', async () => {
    const client = new JsonRpcClient({ address, service: 'go-logger', timeoutMs: 5_000, logger });
    try {
      const replies = await Promise.all([1, 2, 3].map((n) => client.call('RPCServer.LogInfo', { Name: `event-${n}`, Data: 'from TypeScript' })));
      expect(replies).toEqual(['Processed payload via RPC:event-1', 'Processed payload via RPC:event-2', 'Processed payload via RPC:event-3']);
    } finally {
      client.close();
    }
    // Tracing was on, so each call was a client span and sent its traceparent.
    const spans = exporter.getFinishedSpans().filter((span) => span.name === 'RPCServer.LogInfo');
    expect(spans).toHaveLength(3);
  });
});
