import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a stand-in received, its JSON body parsed (or the raw text if it was not JSON). */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What a stand-in answers: a status and a JSON body. */
export interface StandInReply {
  status: number;
  body: unknown;
  /** More headers to answer with (a 429's Retry-After). */
  headers?: Record<string, string>;
}

/** Decides the reply to each request; a promise that never settles is a service that never answers. */
export type StandInBehaviour = (request: ReceivedRequest) => StandInReply | Promise<StandInReply>;

/** A small HTTP server standing in for another service: it records what it gets and answers what it is told. */
export interface StandIn {
  url: string;
  port: number;
  /** Every request so far, oldest first. */
  received: ReceivedRequest[];
  /** Replaces how it answers from the next request on. */
  behave(behaviour: StandInBehaviour): void;
  /** Stops listening and cuts every connection, answered or not. */
  close(): Promise<void>;
}

/** The services' JSON envelope, {error, message, data}, with error set from the status. */
export const envelope = (status: number, message: string, data?: unknown): StandInReply => ({
  status,
  body: { error: status >= 400, message, ...(data === undefined ? {} : { data }) },
});

/** Starts a stand-in on a free loopback port. */
export async function startStandIn(behaviour: StandInBehaviour, port = 0): Promise<StandIn> {
  const received: ReceivedRequest[] = [];
  let current = behaviour;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: parseJson(text) };
    received.push(request);
    const { status, body, headers } = await current(request);
    res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    received,
    behave: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
