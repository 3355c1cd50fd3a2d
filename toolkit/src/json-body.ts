import express, { type RequestHandler } from 'express';
import { badRequest, HttpError } from './http-error.js';
import { parseSingleJSONValue } from './json-value.js';

export const MAX_BODY_BYTES = 1024 * 1024;

const messages = {
  empty: 'body must not be empty',
  malformed: 'body contains badly-formed JSON',
  multiple: 'body must have only a single JSON value',
} as const;

/**
 * JSON content types, plus curl's default for `-d` (form-urlencoded) and no
 * type at all, so `curl -d '{...}'` works as it did against the Go broker.
 * Anything else (text/plain, multipart, XML...) is refused with 415.
 */
function acceptedContentType(header: string | undefined): boolean {
  if (!header) return true;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return (
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/x-www-form-urlencoded'
  );
}

const readRaw = express.raw({ type: () => true, limit: MAX_BODY_BYTES });

/**
 * Reads the request body strictly, as the course's readJSON did: at most 1 MiB,
 * exactly one JSON value. The parsed value lands in `req.body`.
 */
export function jsonBody(): RequestHandler {
  return (req, res, next) => {
    if (!acceptedContentType(req.headers['content-type'])) {
      next(new HttpError(415, 'Content-Type must be application/json'));
      return;
    }
    readRaw(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      const raw: unknown = req.body;
      const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
      const parsed = parseSingleJSONValue(text);
      if (!parsed.ok) {
        next(badRequest(messages[parsed.reason]));
        return;
      }
      req.body = parsed.value;
      next();
    });
  };
}
