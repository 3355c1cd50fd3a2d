import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { acceptRequestId, extractTraceContext, failSpan, HttpError, runWithRequestId, SpanKind, withSpan, type Logger } from '@go-micro/toolkit';
import { isDeadline, JSON_RPC_DEADLINE, JSON_RPC_IDEMPOTENCY_KEY, JSON_RPC_REQUEST_ID } from '../log-call.js';
import { JsonRpcFramer } from './framing.js';

/** What a call of our client carries beside its argument (a Go client's has neither). */
export interface RpcCall {
  /** When the caller stops waiting, in milliseconds since the epoch; a call not started by then is not run. */
  deadline?: number;
  /** The caller's key for the work, as sent: the method checks it. */
  idempotencyKey?: unknown;
}

/** A method takes the single value inside `params` and returns the result; an HttpError's message goes back as the error. */
export type RpcMethod = (param: unknown, call: RpcCall) => Promise<unknown>;

/** The error of a call whose deadline passed while it waited its turn: it was not run, so trying again is safe. */
export const DEADLINE_PASSED = 'rpc: the deadline passed before the call started; it was not run';

/**
 * The bounds of the port. Go's net/rpc has none of these; a Go client never
 * comes near them (it sends one small object per call, numbered ids, and
 * reads every reply), so they only ever stop a client that is not one.
 */
export interface JsonRpcLimits {
  /** Largest request object; a LogInfo call with the largest entry is under 400 KiB even with every character escaped. */
  maxFrameBytes: number;
  /** Deepest nesting in one request; a LogInfo call nests 2 deep. */
  maxDepth: number;
  /** A request begun must end within this; a client holding half a frame is cut. */
  frameTimeoutMs: number;
  /** A connection with no call in flight and nothing sent for this long is closed (the broker's client closes its own after 30 s). */
  idleTimeoutMs: number;
  /** Connections held at once; more are closed as they arrive. */
  maxConnections: number;
  /** Calls worked on at once for one connection; beyond it the connection is not read until one finishes. */
  maxInFlight: number;
  /** Calls read but not started; a client that piles up more is cut. */
  maxQueued: number;
  /** Reply bytes a client has not read yet; a client that stops reading is cut. */
  maxUnreadReplyBytes: number;
}

export const DEFAULT_JSON_RPC_LIMITS: JsonRpcLimits = {
  maxFrameBytes: 512 * 1024,
  maxDepth: 64,
  frameTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  maxConnections: 128,
  maxInFlight: 32,
  maxQueued: 1_024,
  maxUnreadReplyBytes: 1024 * 1024,
};

/** Longest string id or method name taken; Go's client sends numbers and names like "RPCServer.LogInfo". */
const MAX_NAME_CHARS = 256;

interface Connection {
  inFlight: number;
  queue: unknown[];
  closing: boolean;
  frameTimer?: NodeJS.Timeout;
}

/** The id to answer with: what Go's client sends (a number), or a short string or null. Anything else has no id we would echo. */
function replyId(id: unknown): { ok: true; id: number | string | null } | { ok: false } {
  if (id === undefined || id === null) return { ok: true, id: null };
  if (typeof id === 'number' && Number.isFinite(id)) return { ok: true, id };
  if (typeof id === 'string' && id.length <= MAX_NAME_CHARS) return { ok: true, id };
  return { ok: false };
}

/**
 * A JSON-RPC 1.0 server that speaks Go's net/rpc/jsonrpc codec, so the
 * course's Go broker (rpc.Dial + client.Call) can call it:
 *   in:  {"method":"RPCServer.LogInfo","params":[{"Name":"x","Data":"y"}],"id":0}
 *   out: {"id":0,"result":"...","error":null}\n      (or "result":null,"error":"message")
 * Many calls share one connection; they are answered as they finish, matched by id.
 * Input that is not a JSON object, or breaks a bound, closes the connection, as Go's server does with bad input.
 */
export class JsonRpcServer {
  private readonly server: Server;
  private readonly connections = new Map<Socket, Connection>();
  private readonly limits: JsonRpcLimits;

  constructor(
    private readonly methods: Record<string, RpcMethod>,
    private readonly logger: Logger,
    limits: Partial<JsonRpcLimits> = {},
  ) {
    this.limits = { ...DEFAULT_JSON_RPC_LIMITS, ...limits };
    this.server = createServer((socket) => this.accept(socket));
    this.server.maxConnections = this.limits.maxConnections;
    this.server.on('drop', () => this.logger.warn({ maxConnections: this.limits.maxConnections }, 'JSON-RPC: too many connections, refusing one'));
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
      connection.queue.length = 0;
      if (connection.inFlight === 0) socket.end();
    }
    return closed;
  }

  private accept(socket: Socket): void {
    const connection: Connection = { inFlight: 0, queue: [], closing: false };
    this.connections.set(socket, connection);
    const { maxFrameBytes, maxDepth, idleTimeoutMs } = this.limits;
    const framer = new JsonRpcFramer({ maxBytes: maxFrameBytes, maxDepth });
    const drop = (reason: string) => {
      this.logger.warn({ reason, remote: socket.remoteAddress }, 'JSON-RPC: closing the connection');
      socket.destroy();
    };
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    // Fires after idleTimeoutMs without a byte either way; a connection waiting on its calls is left alone.
    socket.setTimeout(idleTimeoutMs, () => {
      if (connection.inFlight === 0 && connection.queue.length === 0) drop('idle');
    });
    socket.on('data', (chunk: Buffer) => {
      let requests: object[];
      try {
        requests = framer.push(chunk);
      } catch (err) {
        drop(`unreadable input: ${(err as Error).message}`);
        return;
      }
      this.watchFrame(socket, connection, framer.buffered > 0, drop);
      connection.queue.push(...requests);
      if (connection.queue.length > this.limits.maxQueued) {
        drop(`more than ${this.limits.maxQueued} calls waiting`);
        return;
      }
      this.pump(socket, connection);
    });
    socket.on('error', (err) => this.logger.debug({ reason: err.message }, 'JSON-RPC connection error'));
    socket.on('close', () => {
      clearTimeout(connection.frameTimer);
      connection.queue.length = 0;
      this.connections.delete(socket);
    });
  }

  /** A frame begun must be finished within frameTimeoutMs, however slowly its bytes come. */
  private watchFrame(socket: Socket, connection: Connection, midFrame: boolean, drop: (reason: string) => void): void {
    if (!midFrame) {
      clearTimeout(connection.frameTimer);
      connection.frameTimer = undefined;
    } else if (connection.frameTimer === undefined) {
      connection.frameTimer = setTimeout(() => {
        if (!socket.destroyed) drop(`a request was not finished within ${this.limits.frameTimeoutMs} ms`);
      }, this.limits.frameTimeoutMs);
      connection.frameTimer.unref();
    }
  }

  /** Starts queued calls up to maxInFlight; reading waits while the connection is at its limit. */
  private pump(socket: Socket, connection: Connection): void {
    while (connection.inFlight < this.limits.maxInFlight && connection.queue.length > 0 && !connection.closing) {
      void this.answer(socket, connection, connection.queue.shift());
    }
    if (connection.queue.length > 0) socket.pause();
    else if (socket.isPaused()) socket.resume();
  }

  private async answer(socket: Socket, connection: Connection, request: unknown): Promise<void> {
    connection.inFlight++;
    try {
      const reply = await this.reply(request as Record<string, unknown>);
      if (!socket.destroyed && socket.writable) {
        // Every field is ours or checked (a number, a short string or null): stringifying cannot run away.
        socket.write(`${JSON.stringify(reply)}\n`);
        if (socket.writableLength > this.limits.maxUnreadReplyBytes) {
          this.logger.warn({ remote: socket.remoteAddress }, 'JSON-RPC: client does not read its replies, closing the connection');
          socket.destroy();
        }
      }
    } catch (err) {
      this.logger.error({ err }, 'JSON-RPC: could not answer, closing the connection');
      socket.destroy();
    } finally {
      connection.inFlight--;
    }
    if (connection.closing && connection.inFlight === 0) socket.end();
    else if (!socket.destroyed) this.pump(socket, connection);
  }

  private async reply(request: Record<string, unknown>): Promise<{ id: number | string | null; result: unknown; error: string | null }> {
    const checked = replyId(request.id);
    if (!checked.ok) return { id: null, result: null, error: 'rpc: id must be a number, a string or null' };
    const { id } = checked;
    // Our client sends the deadline and a key as extra members, as it sends traceparent; a Go client sends neither.
    const deadline = request[JSON_RPC_DEADLINE];
    if (deadline !== undefined && !isDeadline(deadline)) return { id, result: null, error: `rpc: ${JSON_RPC_DEADLINE} must be milliseconds since the Unix epoch` };
    // Calls wait in the connection's queue while it is busy: one whose caller has stopped waiting is dropped, not run late.
    if (deadline !== undefined && deadline <= Date.now()) {
      this.logger.debug({ id }, 'JSON-RPC call dropped: its deadline passed while it waited');
      return { id, result: null, error: DEADLINE_PASSED };
    }
    const call: RpcCall = { ...(deadline === undefined ? {} : { deadline }), ...(request[JSON_RPC_IDEMPOTENCY_KEY] === undefined ? {} : { idempotencyKey: request[JSON_RPC_IDEMPOTENCY_KEY] }) };
    const method = typeof request.method === 'string' && request.method.length <= MAX_NAME_CHARS ? request.method : undefined;
    // Go's codec carries no metadata: our client adds `traceparent` (and `tracestate`) as extra members of the
    // request object, which a Go server ignores. A call that has none (a Go client's) starts a new trace.
    const { traceparent, tracestate } = request;
    const traced = {
      kind: SpanKind.SERVER,
      parent: extractTraceContext({ traceparent, tracestate }),
      attributes: { 'rpc.system': 'jsonrpc', 'rpc.method': method ?? '' },
    };
    // Our client's request id comes the same way (`request_id`); a Go client's call gets one of its own.
    return runWithRequestId(acceptRequestId(request[JSON_RPC_REQUEST_ID]), () =>
      withSpan(method ?? 'JSON-RPC call', traced, async (span) => {
        let reply: { id: number | string | null; result: unknown; error: string | null };
        try {
          reply = { id, result: await this.call(method, request.params, call), error: null };
        } catch (err) {
          failSpan(span, err);
          reply = { id, result: null, error: this.errorMessage(err, method) };
        }
        // One line per call at info, under its request id and trace id: a grep of either finds this hop.
        this.logger.info({ method, ...(reply.error === null ? {} : { error: reply.error }) }, 'JSON-RPC call answered');
        return reply;
      }),
    );
  }

  private async call(method: string | undefined, params: unknown, call: RpcCall): Promise<unknown> {
    const name = method ?? '';
    const dot = name.lastIndexOf('.');
    if (dot < 0) throw new HttpError(400, method === undefined ? 'rpc: service/method request ill-formed' : `rpc: service/method request ill-formed: ${name}`);
    const handler = Object.hasOwn(this.methods, name) ? this.methods[name] : undefined;
    if (!handler) {
      const service = name.slice(0, dot);
      const known = Object.keys(this.methods).some((key) => key.startsWith(`${service}.`));
      throw new HttpError(400, known ? `rpc: can't find method ${name}` : `rpc: can't find service ${name}`);
    }
    // Go's server decodes params into a one-element array: the argument is its first value.
    if (!Array.isArray(params)) throw new HttpError(400, 'rpc: params must be an array holding one argument');
    return handler(params[0], call);
  }

  private errorMessage(err: unknown, method: string | undefined): string {
    if (err instanceof HttpError) {
      if (err.status >= 500) this.logger.warn({ method, reason: err.message, cause: (err.cause as Error | undefined)?.message }, 'JSON-RPC call failed');
      return err.message;
    }
    this.logger.error({ err, method }, 'JSON-RPC call failed');
    return 'internal error';
  }
}
