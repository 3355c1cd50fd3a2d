import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnManaged } from '../src/managed-process.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'managed-process-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const isGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe('a managed process', () => {
  it('when it exits while a test waits for it to be ready, the wait fails at once with its exit code and output', async () => {
    const server = spawnManaged('failing', 'sh', ['-c', 'echo "cannot bind"; exit 3']);

    const waiting = server.waitUntil('answer', async () => false, 120_000);

    await expect(waiting).rejects.toThrow(/failing: .*exit code 3[\s\S]*cannot bind/);
    expect(server.exitCode()).toBe(3);
  });

  it('when its standard output goes to a file, the file has it and its standard error is still kept for messages', async () => {
    const file = join(dir, 'stdout.log');
    const server = spawnManaged('writer', 'sh', ['-c', 'echo "to the file"; echo "to the message" >&2'], { stdoutFile: file });

    await vi.waitUntil(() => server.exitCode() === 0, { timeout: 10_000 });

    expect(await readFile(file, 'utf8')).toBe('to the file\n');
    expect(server.output()).toBe('to the message\n');
  });

  it('when a process group is stopped, the shell and what it started are gone', async () => {
    const group = spawnManaged('group', 'bash', ['-c', 'sleep 600 & echo "started $!"; wait'], { processGroup: true });
    const [, started] = await group.waitForOutput(/started (\d+)/, 10_000);

    await group.stop();

    await vi.waitUntil(() => isGone(Number(started)), { timeout: 10_000 });
    expect(isGone(group.pid!)).toBe(true);
  });
});
