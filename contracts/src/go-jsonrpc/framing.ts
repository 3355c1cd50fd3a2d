import { JsonScanner } from '@go-micro/toolkit';

const OPEN_BRACE = 0x7b;
const EMPTY = Buffer.alloc(0);

/** The peer sent something that is not a stream of JSON objects; the connection should be dropped. */
export class FramingError extends Error {
  override name = 'FramingError';
}

export interface FramingOptions {
  /** Largest object accepted, in bytes, so a peer cannot make us buffer without end. */
  maxBytes?: number;
  /** Deepest nesting accepted in one object. */
  maxDepth?: number;
}

/**
 * Cuts a TCP byte stream into the JSON objects of Go's net/rpc/jsonrpc codec,
 * as Go's encoding/json Decoder reads it: objects one after another, whitespace
 * between them optional (Go's encoder writes a newline, its decoder needs none),
 * split anywhere across packets.
 */
export class JsonRpcFramer {
  private pending: Buffer = EMPTY;
  private scanned = 0;
  private readonly scanner: JsonScanner;
  private readonly maxBytes: number;

  constructor(options: FramingOptions = {}) {
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.scanner = new JsonScanner(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth });
  }

  /** Bytes held of an object not yet complete (0 between objects). */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feeds the next bytes; returns the objects they complete. Throws FramingError on anything else. */
  push(chunk: Buffer): object[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const objects: object[] = [];
    let from = this.scanned;
    for (;;) {
      let end: number;
      try {
        end = this.scanner.next(this.pending, from);
      } catch (err) {
        throw new FramingError((err as Error).message);
      }
      if (end < 0) break;
      objects.push(parseObject(this.pending.subarray(this.scanner.start, end)));
      from = end;
    }
    // Go's client only ever sends objects: anything else is refused at its first byte, not buffered.
    if (this.scanner.inValue && this.pending[this.scanner.start] !== OPEN_BRACE) throw new FramingError('expected a JSON object');
    // Keep only the value still being read (or nothing): scanned bytes are never scanned again.
    const keepFrom = this.scanner.inValue ? this.scanner.start : this.pending.length;
    // Nothing kept is a fresh empty buffer, so an idle connection does not pin the last request's memory.
    this.pending = keepFrom === this.pending.length ? EMPTY : this.pending.subarray(keepFrom);
    this.scanner.rebase(keepFrom);
    this.scanned = this.pending.length;
    if (this.pending.length > this.maxBytes) throw new FramingError(`a JSON object is larger than ${this.maxBytes} bytes`);
    return objects;
  }
}

function parseObject(bytes: Buffer): object {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new FramingError('badly-formed JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FramingError('expected a JSON object');
  return value;
}
