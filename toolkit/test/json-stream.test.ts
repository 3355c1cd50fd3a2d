import { describe, expect, it } from 'vitest';
import { JsonObjectStream, JsonStreamError } from '../src/index.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('JsonObjectStream', () => {
  it('when one object ends with a newline, as Go writes it, yields it', () => {
    const stream = new JsonObjectStream();
    expect(stream.push(bytes('{"method":"M","params":[{"Name":"x"}],"id":0}\n'))).toEqual([
      { method: 'M', params: [{ Name: 'x' }], id: 0 },
    ]);
  });

  it('when two objects arrive in one chunk with no separator, yields both', () => {
    expect(new JsonObjectStream().push(bytes('{"id":1}{"id":2}'))).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('when an object is split across chunks, anywhere, yields it once it is complete', () => {
    const text = '{"a":"x}{\\"y","b":[{"c":1}],"d":"é"}\n';
    const whole = bytes(text);
    const closing = whole.lastIndexOf('}');
    for (let cut = 1; cut < whole.length; cut++) {
      const stream = new JsonObjectStream();
      const first = stream.push(whole.subarray(0, cut));
      const second = stream.push(whole.subarray(cut));
      expect(first).toHaveLength(cut > closing ? 1 : 0);
      expect([...first, ...second]).toEqual([{ a: 'x}{"y', b: [{ c: 1 }], d: 'é' }]);
    }
  });

  it('when fed one byte at a time, yields every object in order', () => {
    const stream = new JsonObjectStream();
    const seen: unknown[] = [];
    for (const byte of bytes(' {"id":1}\r\n\t{"id":"}"} ')) seen.push(...stream.push(Buffer.from([byte])));
    expect(seen).toEqual([{ id: 1 }, { id: '}' }]);
  });

  it('when the stream holds something other than an object, throws', () => {
    expect(() => new JsonObjectStream().push(bytes('[1]'))).toThrow(JsonStreamError);
    expect(() => new JsonObjectStream().push(bytes('hello'))).toThrow(JsonStreamError);
  });

  it('when an object is badly formed, throws', () => {
    expect(() => new JsonObjectStream().push(bytes('{"a":}'))).toThrow(JsonStreamError);
  });

  it('when an object grows past the limit, throws', () => {
    const stream = new JsonObjectStream(16);
    expect(() => stream.push(bytes(`{"a":"${'x'.repeat(32)}`))).toThrow(/larger than 16 bytes/);
  });
});
