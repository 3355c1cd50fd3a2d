// Another implementation of the contract (the course's Go original, built by whoever runs the
// bench) loaded with the same rows as this one, in the same run: BENCH_COMPARE_CMD starts it,
// BENCH_COMPARE_URL is where its broker answers. Nothing of it is in this repository.
import { join } from 'node:path';
import { spawnManaged, type ManagedProcess } from '@go-micro/testkit/managed-process.js';
import type { System } from '@go-micro/testkit/system.js';

export interface Compared {
  /** Its broker's base URL. */
  url: string;
  /** Starts it afresh (its own process group), against the bench's MongoDB and mail catcher; resolves once its broker answers POST /. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The process group the command runs in while it runs (every process it started), to read their CPU. */
  processGroup(): number | undefined;
}

/**
 * From BENCH_COMPARE_CMD and BENCH_COMPARE_URL, or undefined when they are not set.
 * The command runs under bash with MONGO_URL, MAIL_HOST and MAIL_PORT set to the
 * stores this run started, so both systems write to the same FerretDB and Mailpit;
 * it must stay in the foreground and stop everything it started on SIGTERM. Its
 * output goes to compared.log in `logDir`, beside the services' logs.
 */
export function comparedFromEnv(system: System, logDir: string, env: NodeJS.ProcessEnv = process.env): Compared | undefined {
  const command = env.BENCH_COMPARE_CMD;
  const url = env.BENCH_COMPARE_URL?.replace(/\/$/, '');
  if (!command || !url) return undefined;
  const log = join(logDir, 'compared.log');
  let running: ManagedProcess | undefined;

  const stop = async () => {
    const stopping = running;
    running = undefined;
    await stopping?.stop();
  };

  const start = async () => {
    await stop();
    running = spawnManaged('BENCH_COMPARE_CMD', 'bash', ['-c', command], {
      processGroup: true,
      stdoutFile: log,
      stderrFile: log,
      env: { MONGO_URL: system.mongo.url, MAIL_HOST: system.mail.smtpHost, MAIL_PORT: String(system.mail.smtpPort) },
    });
    const answers = () => fetch(`${url}/`, { method: 'POST', signal: AbortSignal.timeout(1_000) }).then((response) => response.ok, () => false);
    try {
      await running.waitUntil(`answer POST ${url}/`, answers, 60_000);
    } catch (error) {
      await stop();
      throw error;
    }
  };

  return { url, start, stop, processGroup: () => running?.pid };
}
