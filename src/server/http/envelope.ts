import type { ServerResponse } from 'node:http';
import { SkygearError } from '../errors';

/**
 * Writing Skygear's JSON envelope: `{"result": …, "info"?: …}` on success, `{"error": {…}}` with a
 * non-2xx status on failure (the 1.7.2 client decides success by the HTTP status alone).
 */
export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.writableEnded) return;
  // Encoded once: measuring the string's UTF-8 length and then writing it would walk it twice.
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}

export function writeResult(res: ServerResponse, result: unknown, info?: Record<string, unknown>): void {
  const body: Record<string, unknown> = { result: result === undefined ? null : result };
  if (info) body.info = info;
  writeJson(res, 200, body);
}

export function writeError(res: ServerResponse, err: SkygearError): void {
  writeJson(res, err.httpStatus, { error: err.toJSON() });
}

export function writeEmpty(res: ServerResponse, status: number): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = status;
  res.setHeader('Content-Length', 0);
  res.end();
}
