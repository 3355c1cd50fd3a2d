// Another implementation of the contract (the course's Go original, built by whoever runs the
// bench) loaded with the same rows as this one, in the same run: BENCH_COMPARE_CMD starts it,
// BENCH_COMPARE_URL is where its broker answers. Nothing of it is in this repository.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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
 * it must stay in the foreground and stop everything it started on SIGTERM.
 */
export function comparedFromEnv(system: System, env: NodeJS.ProcessEnv = process.env): Compared | undefined {
  const command = env.BENCH_COMPARE_CMD;
  const url = env.BENCH_COMPARE_URL?.replace(/\/$/, '');
  if (!command || !url) return undefined;
  let child: ChildProcess | undefined;

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    // The whole group: bash and whatever it started. Gone already is fine.
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-running.pid!, name);
      } catch {
        // ESRCH: nothing left to stop.
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const start = async () => {
    await stop();
    child = spawn('bash', ['-c', command], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...env, MONGO_URL: system.mongo.url, MAIL_HOST: system.mail.smtpHost, MAIL_PORT: String(system.mail.smtpPort) },
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`BENCH_COMPARE_CMD exited with code ${child.exitCode} before ${url} answered`);
      const answered = await fetch(`${url}/`, { method: 'POST', signal: AbortSignal.timeout(1_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await stop();
    throw new Error(`BENCH_COMPARE_URL ${url} did not answer POST / within 60 s`);
  };

  const processGroup = () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined);

  return { url, start, stop, processGroup };
}
