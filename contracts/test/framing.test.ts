import { describe, expect, it } from 'vitest';
import { FramingError, JsonRpcFramer } from '../src/index.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('JsonRpcFramer', () => {
  it('when one object ends with a newline, as Go writes it, yields it', () => {
    const stream = new JsonRpcFramer();
    expect(stream.push(bytes('{"method":"M","params":[{"Name":"x"}],"id":0}\n'))).toEqual([
      { method: 'M', params: [{ Name: 'x' }], id: 0 },
    ]);
  });

  it('when two objects arrive in one chunk with no separator, yields both', () => {
    expect(new JsonRpcFramer().push(bytes('{"id":1}{"id":2}'))).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('when an object is split across chunks, anywhere, yields it once it is complete', () => {
    const text = '{"a":"x}{\\"y","b":[{"c":1}],"d":"é"}\n';
    const whole = bytes(text);
    const closing = whole.lastIndexOf('}');
    for (let cut = 1; cut < whole.length; cut++) {
      const stream = new JsonRpcFramer();
      const first = stream.push(whole.subarray(0, cut));
      const second = stream.push(whole.subarray(cut));
      expect(first).toHaveLength(cut > closing ? 1 : 0);
      expect([...first, ...second]).toEqual([{ a: 'x}{"y', b: [{ c: 1 }], d: 'é' }]);
    }
  });

  it('when fed one byte at a time, yields every object in order', () => {
    const stream = new JsonRpcFramer();
    const seen: unknown[] = [];
    for (const byte of bytes(' {"id":1}\r\n\t{"id":"}"} ')) seen.push(...stream.push(Buffer.from([byte])));
    expect(seen).toEqual([{ id: 1 }, { id: '}' }]);
  });

  it('when the stream holds something other than an object, throws', () => {
    expect(() => new JsonRpcFramer().push(bytes('[1]'))).toThrow(FramingError);
    expect(() => new JsonRpcFramer().push(bytes('hello'))).toThrow(FramingError);
  });

  it('when an object is badly formed, throws', () => {
    expect(() => new JsonRpcFramer().push(bytes('{"a":}'))).toThrow(FramingError);
  });

  it('when an object grows past the limit, throws', () => {
    const stream = new JsonRpcFramer({ maxBytes: 16 });
    expect(() => stream.push(bytes(`{"a":"${'x'.repeat(32)}`))).toThrow(/larger than 16 bytes/);
  });
});

describe('JsonRpcFramer limits', () => {
  it('when an object nests deeper than allowed, throws before reading on', () => {
    const framer = new JsonRpcFramer({ maxDepth: 8 });
    expect(() => framer.push(bytes(`{"id":${'['.repeat(20)}`))).toThrow(/deeper than 8 levels/);
  });
});
