import { rm } from 'node:fs/promises';
import { spawnManaged } from './managed-process.js';
import { pingMongo } from './mongo-ping.js';
import { toolBinary } from './tool-binary.js';
import { waitUntil } from './wait-until.js';

export interface FerretDBOptions {
  /** TCP port on 127.0.0.1; by default one the OS picks, so parallel runs never clash. */
  port?: number;
  /** How long to wait for it to answer, once built. */
  startTimeoutMs?: number;
}

/** A running FerretDB (MongoDB wire protocol, SQLite storage) with its own empty data. */
export interface FerretDB {
  /**
   * Connection string, e.g. mongodb://127.0.0.1:41234. It carries no
   * credentials: FerretDB v1 on SQLite refuses SCRAM, the mechanism drivers
   * use for a user name and password.
   */
  url: string;
  host: string;
  port: number;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

export async function startFerretDB(options: FerretDBOptions = {}): Promise<FerretDB> {
  const { port = 0, startTimeoutMs = 30_000 } = options;
  const binary = await toolBinary('ferretdb');
  // Without -sqlite-dir it keeps its data in a temporary directory that it removes when it stops.
  const server = spawnManaged('ferretdb', binary, ['-listen-addr', `127.0.0.1:${port}`]);
  let dataDir: string | undefined;
  const stop = async () => {
    await server.stop();
    // Already gone, unless it had to be killed outright.
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    // With port 0 this line is the only place that tells which port it bound.
    const [, host, boundPort, dir] = await server.waitForOutput(
      /listening on mongodb:\/\/([^:/]+):(\d+)\/? \(sqlite dir (.+)\)/,
      startTimeoutMs,
    );
    dataDir = dir;
    const address = { host: host!, port: Number(boundPort) };
    await waitUntil(
      async () => {
        server.assertRunning();
        return (await pingMongo(address.host, address.port).catch(() => false)) || undefined;
      },
      { timeoutMs: startTimeoutMs, what: `FerretDB to answer ping on ${address.host}:${address.port}` },
    );
    return { url: `mongodb://${address.host}:${address.port}`, ...address, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
