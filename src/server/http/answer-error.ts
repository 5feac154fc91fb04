import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, SkygearError } from '../core/errors';
import type { Logger } from '../core/log';
import { MAX_HANDLER_BODY_BYTES, bodyTooLarge } from './body';
import { sendError } from './envelope';

/** What fastify and the libraries under it throw: an HTTP status and sometimes a code. */
interface HttpLibraryError {
  statusCode?: unknown;
  status?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * Errors from fastify itself (body too large, bad URL) and from @fastify/send
 * (http-errors) carry an HTTP status but no Skygear code: give them the code Go would answer with.
 */
export function toSkygearError(err: unknown): SkygearError {
  if (err instanceof SkygearError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpLibraryError;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return bodyTooLarge(MAX_HANDLER_BODY_BYTES); // the only buffered route's limit
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (status === 404) return new SkygearError(message, ErrorCodes.ResourceNotFound);
  if (status !== undefined && status >= 400 && status < 500) return new SkygearError(message, ErrorCodes.BadRequest, undefined, status);
  return SkygearError.from(err);
}

/** The error envelope, unless the client has gone (then there is nobody to answer). */
export function answerError(log: Logger, request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply | void {
  const req = request.raw;
  if (req.destroyed && !req.complete) {
    // The client went away mid-request: nothing to answer, nothing wrong with the server.
    log.debug({ err, requestId: request.id }, 'client aborted the request');
    reply.hijack();
    reply.raw.destroy();
    return;
  }
  const error = toSkygearError(err);
  // Cloud code's own errors (a code of their own) are answers too; anything else is a bug to look at.
  if (error.code === ErrorCodes.UnexpectedError || (!(err instanceof SkygearError) && error.httpStatus >= 500)) {
    log.error({ err, requestId: request.id, method: request.method, url: request.url }, 'request failed');
  }
  if (reply.raw.headersSent) {
    reply.hijack();
    reply.raw.destroy();
    return;
  }
  // Drain what the client is still sending so the error answer is not cut off by a reset.
  req.resume();
  return sendError(reply, error);
}

export function answerNotFound(reply: FastifyReply, url: string): FastifyReply {
  return sendError(reply, new SkygearError(`no such file: ${url.split('?')[0]}`, ErrorCodes.ResourceNotFound));
}
