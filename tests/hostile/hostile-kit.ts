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

/** One request on a connection of its own (closed after it): the reply's status, or undefined if the connection was closed first or nothing came within `timeoutMs`. */
export async function requestOnNewConnection(port: number, request: string, timeoutMs = 30_000): Promise<number | undefined> {
  const connection = await rawConnection(port).catch(() => undefined);
  if (connection === undefined) return undefined;
  connection.socket.write(request);
  const timer = setTimeout(() => connection.socket.destroy(), timeoutMs);
  await connection.closed;
  clearTimeout(timer);
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(connection.received());
  return status ? Number(status[1]) : undefined;
}

/** A POST with a JSON body, written out as raw HTTP/1.1; `close` asks for the connection to end after the reply. */
export const rawPost = (path: string, body: unknown, close = true) => {
  const json = JSON.stringify(body);
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}${close ? '\r\nConnection: close' : ''}\r\n\r\n${json}`;
};

/** Many connections held by an attacker; `stop()` closes them all and stops opening new ones. */
export interface Attack {
  /** Connections opened so far, and how many of them the server closed. */
  stats(): { opened: number; cut: number; replies: Record<number, number> };
  stop(): Promise<void>;
}

/**
 * `count` connections that each send the start of a request's headers and then one byte a second,
 * never finishing; one the server closes is opened again `reopenAfterMs` later.
 */
export function holdSlowConnections(port: number, count: number, reopenAfterMs = 1_000): Attack {
  return attack(port, count, reopenAfterMs, (socket) => {
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    let lastSent = Date.now();
    return () => {
      if (Date.now() - lastSent < 1_000) return;
      lastSent = Date.now();
      socket.write('a');
    };
  });
}

/**
 * `count` kept-alive connections that each send `request` again as soon as its reply comes, but at
 * most once a second; one the server closes is opened again `reopenAfterMs` later.
 */
export function floodWithRequests(port: number, count: number, request: (i: number) => string, reopenAfterMs = 1_000): Attack {
  const replies: Record<number, number> = {};
  return attack(
    port,
    count,
    reopenAfterMs,
    (socket, i) => {
      let buffered = '';
      let waiting = false;
      let lastSent = 0;
      const send = () => {
        waiting = true;
        lastSent = Date.now();
        socket.write(request(i));
      };
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        // One reply at a time: status line, headers, then Content-Length bytes of body.
        const end = buffered.indexOf('\r\n\r\n');
        const length = /\r\ncontent-length: (\d+)/i.exec(buffered.slice(0, end));
        if (end < 0 || !length || buffered.length < end + 4 + Number(length[1])) return;
        const status = Number(buffered.slice(9, 12));
        replies[status] = (replies[status] ?? 0) + 1;
        buffered = buffered.slice(end + 4 + Number(length[1]));
        waiting = false;
      });
      send();
      return () => {
        if (!waiting && Date.now() - lastSent >= 1_000) send();
      };
    },
    replies,
  );
}

/** Keeps `count` connections open to `port`, each started by `begin`, whose returned step runs every 100 ms until the connection closes. */
function attack(
  port: number,
  count: number,
  reopenAfterMs: number,
  begin: (socket: Socket, i: number) => () => void,
  replies: Record<number, number> = {},
): Attack {
  let stopped = false;
  let opened = 0;
  let cut = 0;
  const open = new Map<number, { socket: Socket; step: () => void }>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const connectSlot = (i: number) => {
    if (stopped) return;
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      opened++;
      open.set(i, { socket, step: begin(socket, i) });
    });
    socket.once('close', () => {
      if (open.delete(i)) cut++;
      if (!stopped) later(() => connectSlot(i), reopenAfterMs);
    });
  };
  // Opened a few at a time, as a client with many sockets would, not all in one tick.
  for (let i = 0; i < count; i++) later(() => connectSlot(i), Math.floor(i / 50) * 20);
  const ticker = setInterval(() => open.forEach(({ socket, step }) => socket.writable && step()), 100);
  return {
    stats: () => ({ opened, cut, replies: { ...replies } }),
    stop: async () => {
      stopped = true;
      clearInterval(ticker);
      timers.forEach((timer) => clearTimeout(timer));
      const closing = [...open.values()].map(({ socket }) => new Promise((resolve) => socket.once('close', resolve)));
      open.forEach(({ socket }) => socket.destroy());
      await Promise.all(closing);
    },
  };
}
