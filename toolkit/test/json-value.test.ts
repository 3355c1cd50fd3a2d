import { describe, expect, it } from 'vitest';
import { parseSingleJSONValue } from '../src/json-value.js';

describe('parseSingleJSONValue', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['  [1,2] \n', [1, 2]],
    ['"text"', 'text'],
    ['42', 42],
    ['{"s":"has } and \\" inside"}', { s: 'has } and " inside' }],
  ])('when the text is the single value %s, returns it', (text, value) => {
    expect(parseSingleJSONValue(text)).toEqual({ ok: true, value });
  });

  it.each([['{"a":1} {"b":2}'], ['{"a":1}{"b":2}'], ['[1] 2'], ['"a" "b"'], ['1 2'], ['{"s":"}"} x']])(
    'when a second value follows the first (%s), says so',
    (text) => {
      expect(parseSingleJSONValue(text)).toEqual({ ok: false, reason: 'multiple' });
    },
  );

  it.each([['{"a":'], ['{a:1}'], ['nope'], ["{'a':1}"], ['{"a":1']])('when the text is malformed (%s), says so', (text) => {
    expect(parseSingleJSONValue(text)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('when the text is empty or blank, says so', () => {
    expect(parseSingleJSONValue('')).toEqual({ ok: false, reason: 'empty' });
    expect(parseSingleJSONValue(' \n ')).toEqual({ ok: false, reason: 'empty' });
  });
});
