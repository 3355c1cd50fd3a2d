import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { HttpError, runWithRequestId, type Logger } from '@go-micro/toolkit';
import { JsonRpcFramer } from './framing.js';

/** A method takes the single value inside `params` and returns the result; an HttpError's message goes back as the error. */
export type RpcMethod = (param: unknown) => Promise<unknown>;

interface Connection {
  inFlight: number;
  closing: boolean;
}

/**
 * A JSON-RPC 1.0 server that speaks Go's net/rpc/jsonrpc codec, so the
 * course's Go broker (rpc.Dial + client.Call) can call it:
 *   in:  {"method":"RPCServer.LogInfo","params":[{"Name":"x","Data":"y"}],"id":0}
 *   out: {"id":0,"result":"...","error":null}\n      (or "result":null,"error":"message")
 * Many calls share one connection; they are answered as they finish, matched by id.
 * Input that is not a JSON object closes the connection, as Go's server does.
 */
export class JsonRpcServer {
  private readonly server: Server;
  private readonly connections = new Map<Socket, Connection>();

  constructor(
    private readonly methods: Record<string, RpcMethod>,
    private readonly logger: Logger,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Resolves with the bound port (0 picks a free one). */
  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** How many clients are connected now. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** Stops accepting connections; each open one is ended once its calls in flight are answered. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const [socket, connection] of this.connections) {
      connection.closing = true;
      if (connection.inFlight === 0) socket.end();
    }
    return closed;
  }

  private accept(socket: Socket): void {
    const connection: Connection = { inFlight: 0, closing: false };
    this.connections.set(socket, connection);
    const framer = new JsonRpcFramer();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => {
      let requests: unknown[];
      try {
        requests = framer.push(chunk);
      } catch (err) {
        this.logger.warn({ reason: (err as Error).message, remote: socket.remoteAddress }, 'JSON-RPC: unreadable input, closing the connection');
        socket.destroy();
        return;
      }
      for (const request of requests) void this.answer(socket, connection, request);
    });
    socket.on('error', (err) => this.logger.debug({ reason: err.message }, 'JSON-RPC connection error'));
    socket.on('close', () => this.connections.delete(socket));
  }

  private async answer(socket: Socket, connection: Connection, request: unknown): Promise<void> {
    connection.inFlight++;
    const { id = null, method, params } = request as { id?: unknown; method?: unknown; params?: unknown };
    // Go's codec carries no metadata, so each call gets its own request id for the log lines it causes.
    const reply = await runWithRequestId(randomUUID(), async () => {
      try {
        return { id, result: await this.call(method, params), error: null };
      } catch (err) {
        return { id, result: null, error: this.errorMessage(err, method) };
      }
    });
    connection.inFlight--;
    if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(reply)}\n`);
    if (connection.closing && connection.inFlight === 0) socket.end();
  }

  private async call(method: unknown, params: unknown): Promise<unknown> {
    const name = typeof method === 'string' ? method : '';
    const dot = name.lastIndexOf('.');
    if (dot < 0) throw new HttpError(400, `rpc: service/method request ill-formed: ${name}`);
    const handler = Object.hasOwn(this.methods, name) ? this.methods[name] : undefined;
    if (!handler) {
      const service = name.slice(0, dot);
      const known = Object.keys(this.methods).some((key) => key.startsWith(`${service}.`));
      throw new HttpError(400, known ? `rpc: can't find method ${name}` : `rpc: can't find service ${name}`);
    }
    // Go's server decodes params into a one-element array: the argument is its first value.
    if (!Array.isArray(params)) throw new HttpError(400, 'rpc: params must be an array holding one argument');
    return handler(params[0]);
  }

  private errorMessage(err: unknown, method: unknown): string {
    if (err instanceof HttpError) {
      if (err.status >= 500) this.logger.warn({ method, reason: err.message }, 'JSON-RPC call failed');
      return err.message;
    }
    this.logger.error({ err, method }, 'JSON-RPC call failed');
    return 'internal error';
  }
}
