import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SharedMailCatcher } from '@go-micro/testkit/mail-catcher.js';
import { sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { SmtpPool } from '../src/smtp-pool.js';

let catcher: SharedMailCatcher;
beforeAll(() => {
  catcher = sharedMailCatcher();
});

const pools: SmtpPool[] = [];
afterEach(() => pools.splice(0).forEach((pool) => pool.close()));

function poolFor(port: number, { size = 2, timeoutMs = 3_000, host = '127.0.0.1', onIdleError = (_err: Error) => {} } = {}): SmtpPool {
  const pool = new SmtpPool({
    size,
    timeoutMs,
    onIdleError,
    connection: { host, port, ignoreTLS: true, name: 'pool.test', connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs },
  });
  pools.push(pool);
  return pool;
}

const messageTo = (to: string, subject = 'Pooled') =>
  Buffer.from(`From: pool@example.com\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${randomUUID()}@pool.test>\r\n\r\nHello\r\n`);
const uniqueRecipient = () => `pool-${randomUUID()}@there.com`;

/** An SMTP server of the test's own that greets, takes the envelope and then never answers the message. */
async function stallingServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.write('220 stall.test ESMTP\r\n');
    let inData = false;
    socket.on('data', (chunk) => {
      if (inData) return;
      for (const line of chunk.toString().split('\r\n').filter(Boolean)) {
        if (/^EHLO/i.test(line)) socket.write('250 stall.test\r\n');
        else if (/^(MAIL|RCPT)/i.test(line)) socket.write('250 OK\r\n');
        else if (/^DATA/i.test(line)) {
          socket.write('354 go on\r\n');
          inData = true;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => sockets.length,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** An SMTP server of the test's own that takes one mail a connection, then resets the connection while it is idle. */
async function resettingServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.write('220 reset.test ESMTP\r\n');
    let inData = false;
    socket.on('data', (chunk) => {
      for (const line of chunk.toString().split('\r\n')) {
        if (inData) {
          if (line !== '.') continue;
          inData = false;
          socket.write('250 queued\r\n');
          setTimeout(() => socket.resetAndDestroy(), 50);
        } else if (/^EHLO/i.test(line)) socket.write('250 reset.test\r\n');
        else if (/^(MAIL|RCPT)/i.test(line)) socket.write('250 OK\r\n');
        else if (/^DATA/i.test(line)) {
          socket.write('354 go on\r\n');
          inData = true;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => sockets.length,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('SmtpPool', () => {
  it('sends more mails at once than it has connections: the others wait their turn, and every one arrives', async () => {
    const pool = poolFor(catcher.smtpPort, { size: 2 });
    const recipients = Array.from({ length: 12 }, uniqueRecipient);

    await Promise.all(recipients.map((to) => pool.send({ from: 'pool@example.com', to: [to] }, messageTo(to))));

    for (const to of recipients) {
      await expect(catcher.waitForMessage((m) => m.to.some((a) => a.address === to))).resolves.toBeDefined();
    }
  });

  it('when the server takes the envelope but never answers the message, fails with ETIMEDOUT in time and drops that connection', async () => {
    const server = await stallingServer();
    try {
      const pool = poolFor(server.port, { size: 1, timeoutMs: 400 });
      const started = Date.now();

      const first = pool.send({ from: 'pool@example.com', to: ['a@there.com'] }, messageTo('a@there.com'));

      await expect(first).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect(Date.now() - started).toBeLessThan(2_000);
      // The stalled connection is not handed out again: the next send opens a connection of its own.
      await expect(pool.send({ from: 'pool@example.com', to: ['b@there.com'] }, messageTo('b@there.com'))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('when the server resets an idle connection, reports it and sends the next mail over a new one', async () => {
    const server = await resettingServer();
    try {
      const reported: Error[] = [];
      const pool = poolFor(server.port, { size: 1, onIdleError: (err) => reported.push(err) });

      await pool.send({ from: 'pool@example.com', to: ['a@there.com'] }, messageTo('a@there.com'));
      await expect.poll(() => reported.length).toBe(1);
      await pool.send({ from: 'pool@example.com', to: ['b@there.com'] }, messageTo('b@there.com'));

      expect(reported[0]).toMatchObject({ code: 'ESOCKET' });
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('when every connection is stuck, a send waiting for one fails with ETIMEDOUT in time too', async () => {
    const server = await stallingServer();
    try {
      const pool = poolFor(server.port, { size: 1, timeoutMs: 400 });
      const started = Date.now();
      const sends = ['a@there.com', 'b@there.com'].map((to) => pool.send({ from: 'pool@example.com', to: [to] }, messageTo(to)));

      const outcomes = await Promise.allSettled(sends);

      for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'ETIMEDOUT' } });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await server.close();
    }
  });

  it('when nothing listens, fails each send at once with the connection refused', async () => {
    const server = await stallingServer();
    const { port } = server;
    await server.close();
    const pool = poolFor(port, { size: 1 });

    const outcomes = await Promise.allSettled([1, 2, 3].map(() => pool.send({ from: 'pool@example.com', to: ['a@there.com'] }, messageTo('a@there.com'))));

    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'ESOCKET', originalCode: 'ECONNREFUSED' } });
  });

  it('verifies a server that greets, and refuses when nothing listens', async () => {
    await expect(poolFor(catcher.smtpPort).verify()).resolves.toBeUndefined();
    const server = await stallingServer();
    const { port } = server;
    await server.close();
    await expect(poolFor(port).verify()).rejects.toMatchObject({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' });
  });

  it('once closed, fails a send at once and opens nothing', async () => {
    const pool = poolFor(catcher.smtpPort);
    pool.close();

    await expect(pool.send({ from: 'pool@example.com', to: ['a@there.com'] }, messageTo('a@there.com'))).rejects.toMatchObject({ code: 'ECONNECTION' });
  });
});
