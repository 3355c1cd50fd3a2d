import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A TCP proxy whose answers arrive late. */
export interface SlowLink {
  port: number;
  close(): Promise<void>;
}

/**
 * Passes TCP connections through to `target`, holding back each chunk the
 * target sends for `delayMs` (in order). Put between a service and its
 * database, it makes every reply slow without changing the service: a write
 * is stored at once, but its acknowledgement comes late.
 */
export async function startSlowLink(target: { host: string; port: number }, delayMs: number): Promise<SlowLink> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  const server = createServer((client) => {
    track(client);
    const upstream = track(connect(target));
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => setTimeout(() => client.writable && client.write(chunk), delayMs));
    // The target's end and errors reach the client as late as its data, so nothing overtakes a reply.
    upstream.once('end', () => setTimeout(() => client.end(), delayMs));
    upstream.once('error', () => setTimeout(() => client.destroy(), delayMs));
    client.once('error', () => upstream.destroy());
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
