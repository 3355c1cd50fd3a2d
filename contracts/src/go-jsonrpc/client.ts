import { connect, type Socket } from 'node:net';
import { badGateway, currentRequestId, gatewayTimeout, HttpError, injectTraceContext, serviceUnavailable, SpanKind, withSpan, type Logger } from '@go-micro/toolkit';
import { deadlineWithin, JSON_RPC_DEADLINE, JSON_RPC_IDEMPOTENCY_KEY, JSON_RPC_REQUEST_ID } from '../log-call.js';
import { JsonRpcFramer } from './framing.js';
import { DEADLINE_PASSED, DEFAULT_JSON_RPC_LIMITS } from './server.js';

export interface JsonRpcClientOptions {
  /** host:port, as the course dialled it. */
  address: string;
  /** The name users see in error messages: "logger-service is unavailable". */
  service: string;
  timeoutMs: number;
  logger: Logger;
  /** The connection is closed after this long without a call, before the server's idle timeout (60 s) can cut it under a call. */
  idleMs?: number;
}

export interface JsonRpcCallOptions {
  /** The caller's key for the work, so that a retry of a call answered 503 or 504 does it once. */
  idempotencyKey?: string | undefined;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (err: HttpError) => void;
}

/**
 * Calls a server of Go's net/rpc/jsonrpc codec (JSON-RPC 1.0 framed as Go
 * frames it) on one TCP connection kept open and shared by all calls (the
 * course dialled a new one per call). Replies are matched to calls by id. A
 * lost connection fails the calls waiting on it with 503 and is dialled again
 * by the next call; a call without a reply in time gets 504. An error reply
 * keeps its kind, as every transport does (ServiceClient): the server's
 * "<dependency> is unavailable" is 503, "... did not answer in time" 504,
 * anything else 502. Go's codec carries only a string, so its wording,
 * which the toolkit's errors fix, is what tells them apart.
 *
 * Each call carries its deadline (a little before this client's own timeout)
 * and, when given, an idempotency key, as extra members of the request object,
 * which a Go server ignores; our server drops a call whose deadline has passed.
 *
 * Go's codec has no room for metadata: the request id travels as one more
 * extra member, `request_id`, so the logger's line of the call carries it.
 */
export class JsonRpcClient {
  private socket?: Promise<Socket>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly options: JsonRpcClientOptions) {}

  /** Calls `method` with one argument, as Go's client.Call does, and resolves with the result. */
  call(method: string, argument: unknown, options: JsonRpcCallOptions = {}): Promise<unknown> {
    const attributes = { 'rpc.system': 'jsonrpc', 'rpc.method': method, 'peer.service': this.options.service };
    return withSpan(method, { kind: SpanKind.CLIENT, attributes }, () => this.send(method, argument, options));
  }

  private send(method: string, argument: unknown, options: JsonRpcCallOptions): Promise<unknown> {
    const { service, timeoutMs, logger } = this.options;
    const { traceparent, tracestate } = injectTraceContext<{ traceparent?: unknown; tracestate?: unknown }>({});
    const requestId = currentRequestId();
    const extra = {
      [JSON_RPC_DEADLINE]: deadlineWithin(timeoutMs),
      ...(options.idempotencyKey ? { [JSON_RPC_IDEMPOTENCY_KEY]: options.idempotencyKey } : {}),
      ...(requestId ? { [JSON_RPC_REQUEST_ID]: requestId } : {}),
    };
    const id = this.nextId++;
    logger.debug({ rpcId: id, method }, `calling ${service} over JSON-RPC`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(() => reject(gatewayTimeout(service))), timeoutMs);
      const settle = (done: () => void) => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (this.pending.size === 0) this.closeWhenIdle();
        done();
      };
      clearTimeout(this.idleTimer);
      this.pending.set(id, {
        resolve: (result) => settle(() => resolve(result)),
        reject: (err) => settle(() => reject(err)),
      });
      this.connection().then(
        (socket) => {
          if (socket.writable) socket.write(`${JSON.stringify({ method, params: [argument], id, traceparent, tracestate, ...extra })}\n`);
          else this.pending.get(id)?.reject(serviceUnavailable(service, new Error('connection closed')));
        },
        (err: unknown) => this.pending.get(id)?.reject(serviceUnavailable(service, err)),
      );
    });
  }

  close(): void {
    clearTimeout(this.idleTimer);
    void this.socket?.then((socket) => socket.end(), () => undefined);
    this.socket = undefined;
  }

  /** Ends the connection once it has been unused for idleMs; the next call dials a new one. */
  private closeWhenIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0) this.close();
    }, this.options.idleMs ?? 30_000);
    this.idleTimer.unref();
  }

  /** The open connection, or a new one; concurrent callers share the same dial. */
  private connection(): Promise<Socket> {
    this.socket ??= this.dial();
    return this.socket;
  }

  private dial(): Promise<Socket> {
    const { service, timeoutMs } = this.options;
    const [host, port] = splitHostPort(this.options.address);
    const dialing = new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true, keepAlive: true, timeout: timeoutMs });
      const framer = new JsonRpcFramer({ maxBytes: DEFAULT_JSON_RPC_LIMITS.maxFrameBytes, maxDepth: DEFAULT_JSON_RPC_LIMITS.maxDepth });
      socket.once('connect', () => {
        socket.setTimeout(0);
        resolve(socket);
      });
      socket.once('timeout', () => socket.destroy(new Error('connect timed out')));
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const reply of framer.push(chunk)) this.settle(reply);
        } catch (err) {
          this.failAll(badGateway(service, 'gave a bad answer (not JSON-RPC)', err));
          socket.destroy();
        }
      });
      socket.on('error', reject);
      socket.once('close', () => {
        if (this.socket === dialing) this.socket = undefined;
        this.failAll(serviceUnavailable(service, new Error('connection closed')));
      });
    });
    // A failed dial is forgotten, so the next call dials again.
    dialing.catch(() => {
      if (this.socket === dialing) this.socket = undefined;
    });
    return dialing;
  }

  private settle(reply: object): void {
    const { id, result, error } = reply as { id?: unknown; result?: unknown; error?: unknown };
    const waiting = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!waiting) return; // a reply to a call that already timed out
    if (error === null || error === undefined) waiting.resolve(result);
    else waiting.reject(errorReply(this.options.service, error));
  }

  private failAll(err: HttpError): void {
    for (const waiting of [...this.pending.values()]) waiting.reject(err);
  }
}

/** An error reply, in the one mapping of dependency failures: its wording says whether it is 503, 504 or 502. */
function errorReply(service: string, error: unknown): HttpError {
  if (typeof error !== 'string') return badGateway(service, 'gave a bad answer (an error that is not text)');
  const text = error.slice(0, 300);
  const status = / is unavailable$/.test(text) ? 503 : / did not answer in time$/.test(text) || text === DEADLINE_PASSED ? 504 : 502;
  return new HttpError(status, `${service} failed: ${text}`);
}

function splitHostPort(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}
