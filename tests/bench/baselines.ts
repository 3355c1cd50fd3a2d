// The limits each route is measured against, taken in the same run on the same machine.
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import { execaNode } from 'execa';
import { MongoClient } from 'mongodb';

/**
 * A baseline server in a process of its own, answering every POST with the
 * broker's envelope: `node`, Node's HTTP server alone (what Node does per
 * request on this machine), or `express`, Express 5 with that one route and
 * nothing else (what the framework the broker is built on costs).
 */
export async function startBareServer(kind: 'node' | 'express', node: string = process.execPath): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const script = kind === 'node' ? './bare-server.mjs' : './bare-express.mjs';
  const server = execaNode(new URL(script, import.meta.url), { nodePath: node, ipc: true, stdin: 'ignore', stdout: 'ignore', stderr: 'inherit', reject: false });
  const port = (await server.getOneMessage()) as number;
  return {
    url: `http://127.0.0.1:${port}`,
    pid: server.pid!,
    // Safe to call again: a server that has exited is left as it is.
    stop: async () => {
      server.kill();
      await server;
    },
  };
}

/** `writers` loops each inserting one document at a time with insertOne for `seconds`: the store's raw rate. */
export async function rawInsertRate(mongoUrl: string, writers: number, seconds: number): Promise<number> {
  const client = new MongoClient(mongoUrl, { maxPoolSize: Math.max(writers, 10) });
  try {
    const collection = client.db('bench').collection('raw_inserts');
    const deadline = Date.now() + seconds * 1000;
    let inserted = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (Date.now() < deadline) {
          const now = new Date();
          await collection.insertOne({ name: 'bench', data: 'raw insert', created_at: now, updated_at: now });
          inserted++;
        }
      }),
    );
    await client.db('bench').dropDatabase();
    return inserted / seconds;
  } finally {
    await client.close();
  }
}

/** bcrypt comparisons per second at `cost`, one at a time per core (as the authentication service admits them). */
export async function bcryptRate(cost: number, seconds: number): Promise<number> {
  const hash = await bcrypt.hash('verysecret', cost);
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      while (Date.now() < deadline) {
        await bcrypt.compare('verysecret', hash);
        done++;
      }
    }),
  );
  return done / seconds;
}
