import { Writable } from 'node:stream';
import { MongoClient, type Filter } from 'mongodb';
import { pino } from 'pino';
import { currentRequestId } from '@go-micro/toolkit';
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
  /** The store itself, for writes that bypass the transports. */
  store: LogsStore;
  /** The request id each entry was written under, by entry name: shows which hops carried it. */
  requestIds: Map<string, string | undefined>;
  /** Every line the service logged at info and above, as JSON, stamped with the request id as the service's own logger does. */
  lines: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface LoggerOptions {
  mongoTimeoutMs?: number;
}

export async function startLogger(mongoUrl: string, options: LoggerOptions = {}): Promise<RunningLogger> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info', mixin: () => ({ reqId: currentRequestId() }) }, sink);
  const mongo = createMongoClient({ MONGO_URL: mongoUrl, MONGO_USERNAME: undefined, MONGO_PASSWORD: undefined, MONGO_TIMEOUT_MS: options.mongoTimeoutMs ?? 2_000 });
  const store = new LogsStore(mongo);
  await store.ensureIndexes();
  const requestIds = new Map<string, string | undefined>();
  const logs: LogWriter = {
    write: async (entry, options) => {
      requestIds.set(entry.name, currentRequestId());
      await store.write(entry, options);
    },
  };
  const http: RunningApp = await startApp(createApp({ logger, logs }));
  const rpc = createRpcServer(logs, logger);
  const rpcPort = await rpc.listen(0, '127.0.0.1');
  const grpc = await startGrpcServer({ logs, logger, port: 0, host: '127.0.0.1' });
  return {
    url: http.url,
    mongoUrl,
    rpcAddress: `127.0.0.1:${rpcPort}`,
    grpcAddress: `127.0.0.1:${grpc.port}`,
    rpcPort,
    store,
    requestIds,
    lines,
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

  close(): Promise<void> {
    return this.client.close();
  }
}
