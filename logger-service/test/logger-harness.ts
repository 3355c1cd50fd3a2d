import { randomUUID } from 'node:crypto';
import { MongoClient, type Filter } from 'mongodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { vi } from 'vitest';
import { createLogger, currentRequestId } from '@go-micro/toolkit';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { startGrpcServer } from '../src/grpc-server.js';
import { LogsStore, type LogDocument, type LogWriter } from '../src/logs-store.js';
import { createMongoClient } from '../src/mongo-client.js';
import { createRpcServer } from '../src/rpc-server.js';

/** A real logger-service in this process: REST, JSON-RPC and gRPC on free ports, storing in the given MongoDB. */
export interface RunningLogger {
  url: string;
  mongoUrl: string;
  rpcAddress: string;
  grpcAddress: string;
  rpcPort: number;
  /** The request id each entry was written under, by entry name: shows which hops carried it. */
  requestIds: Map<string, string | undefined>;
  /** Clients connected to the JSON-RPC port now. */
  rpcConnections(): number;
  close(): Promise<void>;
}

export interface LoggerOptions {
  mongoTimeoutMs?: number;
  /** Holds every write back this long, like a MongoDB that has become slow. */
  writeDelayMs?: number;
  /** A fixed JSON-RPC port, to start a logger again where the last one was. */
  rpcPort?: number;
}

export async function startLogger(mongoUrl: string, options: LoggerOptions = {}): Promise<RunningLogger> {
  const logger = createLogger('logger-service', { level: 'silent', pretty: false });
  const mongo = createMongoClient({ MONGO_URL: mongoUrl, MONGO_USERNAME: undefined, MONGO_PASSWORD: undefined, MONGO_TIMEOUT_MS: options.mongoTimeoutMs ?? 2_000 });
  const store = new LogsStore(mongo);
  await store.ensureIndexes();
  const requestIds = new Map<string, string | undefined>();
  const logs: LogWriter = {
    write: async (entry) => {
      requestIds.set(entry.name, currentRequestId());
      if (options.writeDelayMs) await sleep(options.writeDelayMs);
      await store.write(entry);
    },
  };
  const http: RunningApp = await startApp(createApp({ logger, logs }));
  const rpc = createRpcServer(logs, logger);
  const rpcPort = await rpc.listen(options.rpcPort ?? 0, '127.0.0.1');
  const grpc = await startGrpcServer({ logs, logger, port: 0, host: '127.0.0.1' });
  return {
    url: http.url,
    mongoUrl,
    rpcAddress: `127.0.0.1:${rpcPort}`,
    grpcAddress: `127.0.0.1:${grpc.port}`,
    rpcPort,
    requestIds,
    rpcConnections: () => rpc.openConnections,
    close: async () => {
      await Promise.all([http.close(), rpc.close(), grpc.close()]);
      await mongo.close();
    },
  };
}

/** Reads what the logger stored, straight from MongoDB. */
export class LogsReader {
  private readonly client: MongoClient;

  constructor(mongoUrl: string) {
    this.client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  }

  entries(filter: Filter<LogDocument>) {
    return this.client.db('logs').collection<LogDocument>('logs').find(filter).toArray();
  }

  /** Waits until `count` entries match (bounded), then returns them. */
  async waitForEntries(filter: Filter<LogDocument>, count = 1, timeoutMs = 15_000) {
    return vi.waitUntil(
      async () => {
        const found = await this.entries(filter);
        return found.length >= count && found;
      },
      { timeout: timeoutMs, interval: 100 },
    );
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** A log name no other test uses. */
export const uniqueName = (prefix = 'test') => `${prefix}-${randomUUID()}`;
