import type { ServerResponse } from 'node:http';
import { SkygearError } from '../errors';

/**
 * Writing Skygear's JSON envelope: `{"result": …, "info"?: …}` on success, `{"error": {…}}` with a
 * non-2xx status on failure (the 1.7.2 client decides success by the HTTP status alone).
 */
export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
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
