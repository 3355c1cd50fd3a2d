import { describe, expect, it } from 'vitest';
import { parseEvent } from '../src/events.js';

describe('parseEvent', () => {
  it('when the body is {name, data}, returns the event', () => {
    expect(parseEvent(Buffer.from('{"name":"log","data":"x","extra":1}'))).toEqual({ event: { name: 'log', data: 'x' } });
  });

  it('when the body lacks data, names the field', () => {
    expect(parseEvent(Buffer.from('{"name":"log"}'))).toEqual({ problem: 'body is not {name, data}: data: must be a string' });
  });

  it('when the body is a JSON array, says it is not an event', () => {
    expect(parseEvent(Buffer.from('[1]'))).toEqual({ problem: expect.stringMatching(/^body is not \{name, data\}/) });
  });
});
