import { JsonScanner } from '@go-micro/toolkit';

const OPEN_BRACE = 0x7b;

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
  /** The bytes of the object being read, one piece per packet: joined once, when it ends, never copied before. */
  private pieces: Buffer[] = [];
  private held = 0;
  private readonly scanner: JsonScanner;
  private readonly maxBytes: number;

  constructor(options: FramingOptions = {}) {
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.scanner = new JsonScanner(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth });
  }

  /** Bytes held of an object not yet complete (0 between objects). */
  get buffered(): number {
    return this.held;
  }

  /** Feeds the next bytes; returns the objects they complete. Throws FramingError on anything else. */
  push(chunk: Buffer): object[] {
    const objects: object[] = [];
    let from = 0;
    for (;;) {
      // An object begun in an earlier packet continues at this one's first byte.
      const continued = this.scanner.inValue;
      let end: number;
      try {
        end = this.scanner.next(chunk, from);
      } catch (err) {
        throw new FramingError((err as Error).message);
      }
      const start = continued ? 0 : this.scanner.start;
      // Go's client only ever sends objects: anything else is refused at its first byte, not buffered.
      if (!continued && (end >= 0 || this.scanner.inValue) && chunk[start] !== OPEN_BRACE) throw new FramingError('expected a JSON object');
      if (end < 0) {
        if (this.scanner.inValue) this.hold(chunk.subarray(start));
        return objects;
      }
      const piece = chunk.subarray(start, end);
      objects.push(parseObject(continued ? Buffer.concat([...this.pieces, piece]) : piece));
      this.pieces = [];
      this.held = 0;
      from = end;
    }
  }

  private hold(piece: Buffer): void {
    this.pieces.push(piece);
    this.held += piece.length;
    if (this.held > this.maxBytes) throw new FramingError(`a JSON object is larger than ${this.maxBytes} bytes`);
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
