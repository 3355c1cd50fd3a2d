import express, { type RequestHandler } from 'express';
import { badRequest, unsupportedMediaType } from './http-error.js';
import { JsonDepthError, JsonScanner } from './json-scanner.js';
import { parseSingleJSONValue } from './json-value.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Deepest nesting of objects and arrays in a body; the contract's deepest payload is 2. */
export const MAX_BODY_DEPTH = 64;

const messages = {
  empty: 'body must not be empty',
  malformed: 'body contains badly-formed JSON',
  multiple: 'body must have only a single JSON value',
  deep: `body must not nest deeper than ${MAX_BODY_DEPTH} levels`,
} as const;

/** application/json and the +json types; nothing else. */
function isJsonType(header: string): boolean {
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Whether the request carries a body, by its headers (a bodiless POST has neither). */
function hasBody(headers: { 'content-length'?: string | undefined; 'transfer-encoding'?: string | undefined }): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

export interface JsonBodyOptions {
  /**
   * Take a body without Content-Type as JSON when no browser sent it, as the
   * Go original's services send theirs: for services only other services call.
   */
  untypedFromServices?: boolean;
}

/**
 * A browser says where a request comes from (Origin, or Sec-Fetch-Site other
 * than `none`, which is the user's own navigation); another service says neither.
 */
function fromBrowser(headers: { origin?: string | undefined; 'sec-fetch-site'?: string | string[] | undefined }): boolean {
  const site = headers['sec-fetch-site'];
  return headers.origin !== undefined || (site !== undefined && site !== 'none');
}

/**
 * A body is read only as JSON, and said to be JSON: any other content type
 * (form-urlencoded, text/plain, multipart, none) is refused with 415. Those
 * are the types a page of any site may post without a CORS preflight; refusing
 * them means no other site's page can make a visitor's browser post here. A
 * request without a body (the page's Test Broker button) passes, and so does a
 * form under `formPaths`, whose routes check a CSRF token instead.
 *
 * With `untypedFromServices`, a body without Content-Type that no browser sent
 * is taken as JSON (and marked so, for the route's jsonBody); a page's untyped
 * body (a Blob, which needs no preflight) is still refused.
 */
export function refuseNonJsonBodies(formPaths: readonly string[] = [], options: JsonBodyOptions = {}): RequestHandler {
  const isForm = (req: { path: string; headers: { 'content-type'?: string } }) =>
    formPaths.some((path) => req.path === path || req.path.startsWith(`${path}/`)) &&
    (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
  return (req, _res, next) => {
    if (!hasBody(req.headers) || isJsonType(req.headers['content-type'] ?? '') || isForm(req)) next();
    else if (options.untypedFromServices && !req.headers['content-type'] && !fromBrowser(req.headers)) {
      req.headers['content-type'] = 'application/json';
      next();
    } else next(unsupportedMediaType());
  };
}

const readRaw = express.raw({ type: () => true, limit: MAX_BODY_BYTES });

/** True when a value in `bytes` nests deeper than `maxDepth`; scanned without parsing, so depth costs nothing to refuse. */
function nestsDeeper(bytes: Uint8Array, maxDepth: number): boolean {
  const scanner = new JsonScanner({ maxDepth });
  try {
    for (let from = 0; from < bytes.length; ) {
      const end = scanner.next(bytes, from);
      if (end < 0) break;
      from = end;
    }
    return false;
  } catch (err) {
    if (err instanceof JsonDepthError) return true;
    throw err;
  }
}

/**
 * Reads the request body strictly, as the course's readJSON did: JSON only,
 * at most 1 MiB, at most 64 levels deep, exactly one JSON value. The parsed
 * value lands in `req.body`.
 */
export function jsonBody(options: JsonBodyOptions = {}): RequestHandler {
  const refuse = refuseNonJsonBodies([], options);
  return (req, res, next) => {
    refuse(req, res, (refused?: unknown) => {
      if (refused) {
        next(refused);
        return;
      }
      readRaw(req, res, (err?: unknown) => {
        if (err) {
          next(err);
          return;
        }
        const raw: unknown = req.body;
        const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
        if (nestsDeeper(bytes, MAX_BODY_DEPTH)) {
          next(badRequest(messages.deep));
          return;
        }
        const parsed = parseSingleJSONValue(bytes.toString('utf8'));
        if (!parsed.ok) {
          next(badRequest(messages[parsed.reason]));
          return;
        }
        req.body = parsed.value;
        next();
      });
    });
  };
}
