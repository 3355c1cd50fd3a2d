import { endOfFirstValue } from './json-scanner.js';

/**
 * Parses text that must hold exactly one JSON value, telling apart the two
 * failures the contract names: malformed JSON, and a second value after the first.
 */
export type ParseResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'empty' | 'malformed' | 'multiple' };

export function parseSingleJSONValue(text: string): ParseResult {
  if (text.trim() === '') return { ok: false, reason: 'empty' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Only a failed parse pays for the scan that tells "two values" from "broken".
    const bytes = Buffer.from(text, 'utf8');
    const end = endOfFirstValue(bytes);
    if (end !== undefined && bytes.subarray(end).toString('utf8').trim() !== '' && parses(bytes.subarray(0, end).toString('utf8'))) {
      return { ok: false, reason: 'multiple' };
    }
    return { ok: false, reason: 'malformed' };
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
