import type { FastifyReply } from 'fastify';
import type { SkygearError } from '../core/errors';

/**
 * Writing Skygear's JSON envelope: `{"result": …, "info"?: …}` on success, `{"error": {…}}` with a
 * non-2xx status on failure (the 1.7.2 client decides success by the HTTP status alone).
 */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  if (reply.sent) return reply;
  // Encoded once and sent as bytes: a string payload would be walked again to measure its length.
  // The type is Go's bare `application/json` (fastify's own serializer would add a charset).
  return reply.code(status).type('application/json').send(Buffer.from(JSON.stringify(body), 'utf8'));
}

export function sendResult(reply: FastifyReply, result: unknown, info?: Record<string, unknown>): FastifyReply {
  const body: Record<string, unknown> = { result: result === undefined ? null : result };
  if (info) body.info = info;
  return sendJson(reply, 200, body);
}

export function sendError(reply: FastifyReply, err: SkygearError): FastifyReply {
  return sendJson(reply, err.httpStatus, { error: err.toJSON() });
}
