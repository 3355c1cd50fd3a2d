import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { execa } from 'execa';
import { expect } from 'vitest';
import { SERVICE_NAMES } from '@go-micro/testkit/services.js';
import type { ServiceName, System } from '@go-micro/testkit/system.js';
import type { StoredLogs } from '@go-micro/testkit/stored-logs.js';

/** Every hostile log entry, mail subject and recipient carries this, so "nothing stored, nothing mailed" is one query. */
export const MARK = 'hostile';

/** The services a hostile suite runs, all six. */
export const SERVICES: readonly ServiceName[] = SERVICE_NAMES;

/** Resident memory of a process, in MiB, as the kernel counts it. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** TCP connections established to a local port, as the kernel counts them (both ends are on this machine: the server's side). */
export async function connectionsTo(port: number): Promise<number> {
  const { stdout } = await execa('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]);
  return stdout.split('\n').filter(Boolean).length;
}

/** Each process is still running and answers its heartbeat. */
export async function expectAllAlive(system: System, names: readonly ServiceName[] = SERVICES): Promise<void> {
  for (const name of names) {
    system.process(name)!.assertRunning();
    const ping = await fetch(`${system.url(name)}/ping`, { signal: AbortSignal.timeout(10_000) });
    expect(ping.status, `${name} /ping`).toBe(200);
  }
}

/** Nothing marked hostile reached MongoDB, and no mail marked hostile reached the catcher. */
export async function expectNothingStoredOrMailed(system: System, logs: StoredLogs): Promise<void> {
  expect(await logs.entries({ name: { $regex: `^${MARK}` } }), 'hostile log entries stored').toEqual([]);
  const mails = (await system.mail.listMessages()).filter((m) => m.subject.includes(MARK) || m.to.some((a) => a.address.includes(MARK)));
  expect(mails, 'hostile mails sent').toEqual([]);
}

/** A raw TCP connection that records whether and when the server closed it. */
export interface RawConnection {
  socket: Socket;
  closed: Promise<void>;
  isClosed: () => boolean;
  received: () => string;
}

export async function rawConnection(port: number): Promise<RawConnection> {
  const socket = connect({ host: '127.0.0.1', port });
  let closed = false;
  let received = '';
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    // Keep only the start: a reply is short, and a test must not hold what it measures.
    if (received.length < 4096) received += chunk.toString('utf8');
  });
  // Not events.once: it would reject on the 'error' (ECONNRESET) that comes with a server's cut.
  const closedPromise = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  await once(socket, 'connect');
  return { socket, closed: closedPromise, isClosed: () => closed, received: () => received };
}

/** Writes `text` a byte at a time, one byte every `everyMs`, until the server closes the connection or `maxMs` passes. */
export async function trickle(connection: RawConnection, text: string, everyMs: number, maxMs: number): Promise<number> {
  const started = Date.now();
  let i = 0;
  const timer = setInterval(() => {
    if (connection.isClosed()) return;
    connection.socket.write(text[i % text.length]!);
    i++;
  }, everyMs);
  await Promise.race([connection.closed, new Promise((resolve) => setTimeout(resolve, maxMs))]);
  clearInterval(timer);
  const elapsed = Date.now() - started;
  connection.socket.destroy();
  return elapsed;
}

