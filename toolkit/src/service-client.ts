import { Pool } from 'undici';
import type { Bulkhead } from './bulkhead.js';
import type { Envelope } from './envelope.js';
import { badGateway, gatewayTimeout, HttpError, serviceUnavailable } from './http-error.js';
import { timeCall } from './metrics.js';
import { currentRequestId, REQUEST_ID_HEADER } from './request-context.js';
import { injectTraceContext, SpanKind, withSpan } from './tracing.js';

interface ServiceClientOptions {
  /** The name users see in error messages: "authentication-service is unavailable". */
  name: string;
  baseUrl: string;
  timeoutMs?: number;
  /** Bounds the calls in flight to this service; one bulkhead may be shared with the service's other transports. */
  bulkhead?: Bulkhead;
}

export interface ServiceReply<T = unknown> {
  status: number;
  envelope: Envelope<T>;
  /** From a 429's Retry-After. */
  retryAfterSeconds?: number;
}

export interface CallOptions {
  /** More headers for this call (the broker passes the client's address as X-Forwarded-For). */
  headers?: Record<string, string>;
}

/** Connections one client keeps to its service at most; calls beyond them wait for one (the broker bounds its calls in flight to as many, UPSTREAM_MAX_IN_FLIGHT). */
const MAX_CONNECTIONS = 64;

/**
 * Calls another service's JSON endpoints over a pool of keep-alive
 * connections (undici's Pool: the engine under Node's fetch, without fetch's
 * streams and Response objects, which cost more than the call itself on the
 * broker's busiest routes). Every call has a timeout, carries the request id and the W3C
 * traceparent of a client span.
 *
 * Failures become HttpErrors naming the service, in the one mapping of every
 * transport: unreachable 503, too slow 504, a reply that is not an envelope
 * 502. A 5xx envelope keeps its kind: the service's own 503 ("MongoDB is
 * unavailable") and 504 pass on as 503 and 504, any other 5xx is 502; the
 * message is "<service> failed: <its message>". A 4xx envelope is returned as
 * is, for the caller to pass on (a wrong password stays a 401, a 429 keeps its Retry-After).
 */
export class ServiceClient {
  readonly name: string;
  private readonly basePath: string;
  private readonly pool: Pool;
  private readonly bulkhead: Bulkhead | undefined;

  constructor(options: ServiceClientOptions) {
    this.name = options.name;
    this.bulkhead = options.bulkhead;
    const url = new URL(options.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    const timeoutMs = options.timeoutMs ?? 5_000;
    // Each step (connecting, the reply's headers, each part of its body) must come within the timeout, or the call is a 504.
    this.pool = new Pool(url.origin, {
      connections: MAX_CONNECTIONS,
      connectTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      // Below the services' own idle timeout (5 s), so this side closes an idle connection first.
      keepAliveTimeout: 4_000,
    });
  }

  /** Closes the pool's connections once the calls under way are answered. */
  close(): Promise<void> {
    return this.pool.close();
  }

  post<T = unknown>(path: string, body: unknown, options: CallOptions = {}): Promise<ServiceReply<T>> {
    return this.request<T>('POST', path, body, options);
  }

  get<T = unknown>(path: string, options: CallOptions = {}): Promise<ServiceReply<T>> {
    return this.request<T>('GET', path, undefined, options);
  }

  private request<T>(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<ServiceReply<T>> {
    const attributes = { 'http.request.method': method, 'url.path': path, 'peer.service': this.name };
    const call = () =>
      withSpan(`${method} ${this.name}${path}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
        const reply = await timeCall(this.name, 'rest', () => this.send<T>(method, path, body, options));
        span.setAttribute('http.response.status_code', reply.status);
        return reply;
      });
    return this.bulkhead ? this.bulkhead.run(call) : call();
  }

  private async send<T>(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<ServiceReply<T>> {
    const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    injectTraceContext(headers);

    let status: number;
    let retryAfterHeader: unknown;
    let text: string;
    try {
      const response = await this.pool.request({
        method,
        path: `${this.basePath}${path}`,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      status = response.statusCode;
      retryAfterHeader = response.headers['retry-after'];
      text = await response.body.text();
    } catch (err) {
      throw this.transportError(err);
    }

    const envelope = asEnvelope<T>(text);
    if (!envelope) throw badGateway(this.name, `gave a bad answer (status ${status})`);
    const retryAfter = Number(retryAfterHeader);
    if (status >= 500) {
      // A busy service's 503 keeps its Retry-After, for the caller's caller.
      const retryAfterSeconds = status === 503 && retryAfter > 0 ? retryAfter : undefined;
      throw new HttpError(status === 503 || status === 504 ? status : 502, `${this.name} failed: ${envelope.message}`, { retryAfterSeconds });
    }
    return { status, envelope, ...(retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}) };
  }

  /**
   * Posts and returns the reply's message and data; an error envelope (a 4xx)
   * is thrown as an HttpError with its status and message, to be passed on as is.
   */
  async call<T = unknown>(path: string, body: unknown, options: CallOptions = {}): Promise<{ message: string; data: T | undefined }> {
    return this.unwrap(await this.post<T>(path, body, options));
  }

  /** Gets and returns the reply's message and data, as `call` does for a post. */
  async fetchData<T = unknown>(path: string, options: CallOptions = {}): Promise<{ message: string; data: T | undefined }> {
    return this.unwrap(await this.get<T>(path, options));
  }

  private unwrap<T>({ status, envelope, retryAfterSeconds }: ServiceReply<T>): { message: string; data: T | undefined } {
    if (envelope.error) throw new HttpError(status, envelope.message, { retryAfterSeconds });
    return { message: envelope.message, data: envelope.data };
  }

  private transportError(err: unknown): HttpError {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return gatewayTimeout(this.name, err);
    return serviceUnavailable(this.name, err);
  }
}

/** undici's codes for a step that did not come in time. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function asEnvelope<T>(text: string): Envelope<T> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Envelope).error === 'boolean' &&
      typeof (value as Envelope).message === 'string'
    ) {
      return value as Envelope<T>;
    }
  } catch {
    // fall through: not JSON is a bad answer
  }
  return undefined;
}
