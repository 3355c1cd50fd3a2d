import type { Envelope } from './envelope.js';
import { badGateway, gatewayTimeout, HttpError, serviceUnavailable } from './http-error.js';
import { currentRequestId, REQUEST_ID_HEADER } from './request-context.js';
import { injectTraceContext, SpanKind, withSpan } from './tracing.js';

interface ServiceClientOptions {
  /** The name users see in error messages: "authentication-service is unavailable". */
  name: string;
  baseUrl: string;
  timeoutMs?: number;
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

/**
 * Calls another service's JSON endpoints. Node's fetch keeps connections alive
 * and reuses them; every call has a timeout, carries the request id and
 * the W3C traceparent of a client span.
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
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(options: ServiceClientOptions) {
    this.name = options.name;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  post<T = unknown>(path: string, body: unknown, options: CallOptions = {}): Promise<ServiceReply<T>> {
    return this.request<T>('POST', path, body, options);
  }

  get<T = unknown>(path: string, options: CallOptions = {}): Promise<ServiceReply<T>> {
    return this.request<T>('GET', path, undefined, options);
  }

  private request<T>(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<ServiceReply<T>> {
    const attributes = { 'http.request.method': method, 'url.path': path, 'peer.service': this.name };
    return withSpan(`${method} ${this.name}${path}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const reply = await this.send<T>(method, path, body, options);
      span.setAttribute('http.response.status_code', reply.status);
      return reply;
    });
  }

  private async send<T>(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<ServiceReply<T>> {
    const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    injectTraceContext(headers);

    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      throw this.transportError(err);
    }

    const envelope = asEnvelope<T>(text);
    if (!envelope) throw badGateway(this.name, `gave a bad answer (status ${response.status})`);
    if (response.status >= 500) {
      const status = response.status === 503 || response.status === 504 ? response.status : 502;
      throw new HttpError(status, `${this.name} failed: ${envelope.message}`);
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    return { status: response.status, envelope, ...(retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}) };
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
    const name = (err as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return gatewayTimeout(this.name, err);
    return serviceUnavailable(this.name, (err as { cause?: unknown }).cause ?? err);
  }
}

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
