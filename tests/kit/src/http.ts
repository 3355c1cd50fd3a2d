import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RunningApp {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Listens on a free loopback port, so tests run in parallel without clashing. */
export function startApp(app: Express): Promise<RunningApp> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (err?: Error) => {
      if (err) return reject(err);
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** POSTs JSON (or a raw string, sent as is) and returns status, headers and the parsed reply. */
export async function postJSON(
  url: string,
  body?: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; headers: Headers; body: { error: boolean; message: string; data?: unknown } }> {
  const init: RequestInit = { method: 'POST', headers };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as never };
}

/**
 * POSTs `text` with no Content-Type at all, as the Go original's services send
 * their JSON (fetch would call a string body text/plain; bytes it leaves untyped).
 */
export function postUntyped(url: string, text: string, headers: Record<string, string> = {}): ReturnType<typeof postJSON> {
  return fetch(url, { method: 'POST', headers, body: new TextEncoder().encode(text), signal: AbortSignal.timeout(15_000) }).then(async (response) => ({
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as never,
  }));
}
