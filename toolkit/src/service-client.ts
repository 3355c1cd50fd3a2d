import type { Envelope } from './envelope.js';
import { badGateway, gatewayTimeout, HttpError, serviceUnavailable } from './http-error.js';
import { currentRequestId, REQUEST_ID_HEADER } from './request-context.js';

interface ServiceClientOptions {
  /** The name users see in error messages: "authentication-service is unavailable". */
  name: string;
  baseUrl: string;
  timeoutMs?: number;
}

export interface ServiceReply<T = unknown> {
  status: number;
  envelope: Envelope<T>;
}

/**
 * Calls another service's JSON endpoints. Node's fetch keeps connections alive
 * and reuses them; every call has a timeout and carries the request id.
 *
 * Failures become HttpErrors naming the service: unreachable 503, too slow 504,
 * a reply that is not an envelope or a 5xx 502. A 4xx envelope is returned as
 * is, for the caller to pass on (a wrong password stays a 401).
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

  post<T = unknown>(path: string, body: unknown): Promise<ServiceReply<T>> {
    return this.request<T>('POST', path, body);
  }

  get<T = unknown>(path: string): Promise<ServiceReply<T>> {
    return this.request<T>('GET', path);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ServiceReply<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;

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
    if (response.status >= 500) throw badGateway(this.name, `failed: ${envelope.message}`);
    return { status: response.status, envelope };
  }

  /**
   * Posts and returns the reply's message and data; an error envelope (a 4xx)
   * is thrown as an HttpError with its status and message, to be passed on as is.
   */
  async call<T = unknown>(path: string, body: unknown): Promise<{ message: string; data: T | undefined }> {
    return this.unwrap(await this.post<T>(path, body));
  }

  /** Gets and returns the reply's message and data, as `call` does for a post. */
  async fetchData<T = unknown>(path: string): Promise<{ message: string; data: T | undefined }> {
    return this.unwrap(await this.get<T>(path));
  }

  private unwrap<T>({ status, envelope }: ServiceReply<T>): { message: string; data: T | undefined } {
    if (envelope.error) throw new HttpError(status, envelope.message);
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
