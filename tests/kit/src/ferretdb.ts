import { rm } from 'node:fs/promises';
import { MongoClient } from 'mongodb';
import { spawnManaged } from './managed-process.js';
import { toolBinary } from './tool-binary.js';

export interface FerretDBOptions {
  /** TCP port on 127.0.0.1; by default one the OS picks, so parallel runs never clash. */
  port?: number;
  /** How long to wait for it to answer, once built. */
  startTimeoutMs?: number;
  /**
   * Keep the data in this directory, and keep it when stopped, so a server
   * started again on it finds its collections and indexes, as a restarted
   * MongoDB would. By default a temporary directory, removed on stop.
   */
  dataDir?: string;
}

/** Where a MongoDB-protocol server listens: what a test needs to reach one it did not start. */
export interface MongoServer {
  /**
   * Connection string, e.g. mongodb://127.0.0.1:41234. It carries no
   * credentials: FerretDB v1 on SQLite refuses SCRAM, the mechanism drivers
   * use for a user name and password.
   */
  url: string;
  host: string;
  port: number;
  /** Its process, where this run started it (the benchmark reads its CPU); undefined for one started elsewhere. */
  pid?: number | undefined;
}

/** A running FerretDB (MongoDB wire protocol, SQLite storage) with its own empty data. */
export interface FerretDB extends MongoServer {
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

export async function startFerretDB(options: FerretDBOptions = {}): Promise<FerretDB> {
  const { port = 0, startTimeoutMs = 30_000 } = options;
  const binary = await toolBinary('ferretdb');
  // Without -sqlite-dir it keeps its data in a temporary directory that it removes when it stops.
  const keptDir = options.dataDir === undefined ? [] : ['-sqlite-dir', options.dataDir];
  const server = spawnManaged('ferretdb', binary, ['-listen-addr', `127.0.0.1:${port}`, ...keptDir]);
  let dataDir: string | undefined;
  const stop = async () => {
    await server.stop();
    // Already gone, unless it had to be killed outright.
    if (dataDir !== undefined && options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    // With port 0 this line is the only place that tells which port it bound.
    const [, host, boundPort, dir] = await server.waitForOutput(
      /listening on mongodb:\/\/([^:/]+):(\d+)\/? \(sqlite dir (.+)\)/,
      startTimeoutMs,
    );
    dataDir = dir;
    const address = { host: host!, port: Number(boundPort) };
    const url = `mongodb://${address.host}:${address.port}`;
    const client = new MongoClient(url, { directConnection: true, serverSelectionTimeoutMS: 1_000 });
    const answersPing = () => client.db('admin').command({ ping: 1 }).then(() => true, () => false);
    await server.waitUntil(`answer ping on ${url}`, answersPing, startTimeoutMs).finally(() => client.close());
    return { url, ...address, pid: server.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
