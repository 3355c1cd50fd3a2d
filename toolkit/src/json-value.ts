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
    const end = endOfFirstValue(text);
    if (end !== undefined && text.slice(end).trim() !== '' && parses(text.slice(0, end))) {
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

/** Index just past the first JSON value in `text`, found by bracket depth outside strings. */
function endOfFirstValue(text: string): number | undefined {
  let i = text.search(/\S/);
  const first = text[i];
  if (first === '{' || first === '[' || first === '"') {
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') {
          inString = false;
          if (depth === 0) return i + 1;
        }
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return undefined;
  }
  // A number or a literal ends at the first character that cannot continue it.
  const match = /^[\w.+-]+/.exec(text.slice(i));
  return match ? i + match[0].length : undefined;
}
