/** The peer sent something that is not a stream of JSON objects; the connection should be dropped. */
export class JsonStreamError extends Error {
  override name = 'JsonStreamError';
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, QUOTE, BACKSLASH] = [0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c];

/**
 * Cuts a TCP byte stream into the JSON objects it carries, as Go's
 * encoding/json Decoder reads net/rpc/jsonrpc traffic: objects one after
 * another, whitespace between them optional (Go's encoder writes a newline,
 * its decoder needs none), split anywhere across packets.
 *
 * Scanning is by bytes: a UTF-8 multi-byte sequence never contains a quote,
 * backslash or bracket byte, so it cannot confuse the depth count. The state
 * carries over between chunks, so each byte is scanned once.
 */
export class JsonObjectStream {
  private pending: Buffer = Buffer.alloc(0);
  private scanned = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** `maxBytes` bounds one object, so a peer cannot make us buffer without end. */
  constructor(private readonly maxBytes = 1024 * 1024) {}

  /** Feeds the next bytes; returns the objects they complete. Throws JsonStreamError on anything else. */
  push(chunk: Buffer): unknown[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const values: unknown[] = [];
    let start = 0;
    for (let i = this.scanned; i < this.pending.length; i++) {
      const byte = this.pending[i]!;
      if (this.depth === 0) {
        if (WHITESPACE.has(byte)) {
          start = i + 1;
          continue;
        }
        if (byte !== OPEN_BRACE) throw new JsonStreamError('expected a JSON object');
        start = i;
        this.depth = 1;
      } else if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
      } else if (byte === QUOTE) {
        this.inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.depth++;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (--this.depth === 0) {
          values.push(parse(this.pending.subarray(start, i + 1)));
          start = i + 1;
        }
      }
    }
    this.pending = this.pending.subarray(start);
    this.scanned = this.pending.length;
    if (this.pending.length > this.maxBytes) throw new JsonStreamError(`a JSON object is larger than ${this.maxBytes} bytes`);
    return values;
  }
}

function parse(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new JsonStreamError('badly-formed JSON object');
  }
}
