import { ErrorCodes, SkygearError } from '../core/errors';
import { checkDepth } from '../store/codec/typed-values';

/** JSON API bodies larger than this are refused; uploads go through /files and stream to disk. */
export const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;

/** Plugin handler bodies are passed whole (base64 to out-of-process plugins), so keep them bounded. */
export const MAX_HANDLER_BODY_BYTES = 32 * 1024 * 1024;

const badRequest = (message: string) => new SkygearError(message, ErrorCodes.BadRequest);

export const bodyTooLarge = (limit: number) => badRequest(`request body exceeds ${limit} bytes`);

/**
 * The API body must be one JSON object. An empty body counts as `{}` (GET /_status/healthz).
 * Go answers malformed JSON with a bare 400; we answer 400 with a BadRequest envelope instead, which
 * the client treats the same way (any status ≥ 400 is a failure).
 */
export function parseJsonObject(raw: Buffer | undefined): Record<string, unknown> {
  if (raw && raw.length > MAX_JSON_BODY_BYTES) throw bodyTooLarge(MAX_JSON_BODY_BYTES);
  const text = raw ? raw.toString('utf8') : '';
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('request body must be a JSON object');
  }
  // JSON.parse takes any depth; the recursive code behind it (predicates, records, cloud code's
  // fromJSON) does not. A bound here covers every action: 108 naming the field.
  const body = value as Record<string, unknown>;
  for (const key of Object.keys(body)) checkDepth(body[key], key);
  return body;
}
