const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, QUOTE, BACKSLASH, COMMA, COLON] = [
  0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c, 0x2c, 0x3a,
];
const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
const endsLiteral = (byte: number) =>
  isWhitespace(byte) || byte === OPEN_BRACE || byte === CLOSE_BRACE || byte === OPEN_BRACKET || byte === CLOSE_BRACKET ||
  byte === QUOTE || byte === COMMA || byte === COLON;

export interface JsonScannerOptions {
  /** Deepest nesting of objects and arrays allowed in one value; deeper throws. */
  maxDepth?: number;
}

/** A value nests deeper than the scanner allows. */
export class JsonDepthError extends Error {
  override name = 'JsonDepthError';
}

/**
 * Finds where JSON values begin and end in bytes, without parsing them: bracket
 * depth outside strings. It is the one scanner of the project, used by the
 * single-value check of request bodies and by the Go JSON-RPC stream framing.
 *
 * Scanning is by bytes: a UTF-8 multi-byte sequence never contains a quote,
 * backslash or bracket byte. The state carries over between calls, so a value
 * split across network packets is scanned once, byte by byte, as it arrives.
 */
export class JsonScanner {
  /** Offset, in the bytes last scanned, where the value being read (or the one just ended) began; -1 before any. */
  start = -1;
  private reading = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inLiteral = false;
  private readonly maxDepth: number;

  constructor(options: JsonScannerOptions = {}) {
    this.maxDepth = options.maxDepth ?? Infinity;
  }

  /** True while a value has begun and not ended. */
  get inValue(): boolean {
    return this.reading;
  }

  /** True when the value being read is a bare number or literal (true, false, null): it ends only where its text does. */
  get inBareLiteral(): boolean {
    return this.inLiteral;
  }

  /**
   * Scans `bytes` from `from` on. Returns the offset just past the first value
   * that ends there, with `start` at its beginning; -1 if none ends within `bytes`.
   */
  next(bytes: Uint8Array, from: number): number {
    for (let i = from; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (!this.reading) {
        if (isWhitespace(byte)) continue;
        this.reading = true;
        this.start = i;
        if (byte === QUOTE) this.inString = true;
        else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.open();
        else this.inLiteral = true;
      } else if (this.inLiteral) {
        if (endsLiteral(byte)) return this.finish(i);
      } else if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) {
          this.inString = false;
          if (this.depth === 0) return this.finish(i + 1);
        }
      } else if (byte === QUOTE) {
        this.inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.open();
      } else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && --this.depth === 0) {
        return this.finish(i + 1);
      }
    }
    return -1;
  }

  private open(): void {
    if (++this.depth > this.maxDepth) throw new JsonDepthError(`JSON nests deeper than ${this.maxDepth} levels`);
  }

  private finish(end: number): number {
    this.reading = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.inLiteral = false;
    return end;
  }
}

/**
 * Offset just past the first JSON value in `bytes` (a bare literal ends where
 * the bytes do), or undefined when it does not end in them.
 */
export function endOfFirstValue(bytes: Uint8Array): number | undefined {
  const scanner = new JsonScanner();
  const end = scanner.next(bytes, 0);
  if (end >= 0) return end;
  return scanner.inBareLiteral ? bytes.length : undefined;
}
