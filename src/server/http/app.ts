import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ErrorCodes, SkygearError } from '../errors';
import type { Logger } from '../log';
import type { HttpHandlerSource } from './action';
import { dispatchAction, type ActionDispatchDeps } from './action-dispatch';
import { applyCors } from './cors';
import { writeEmpty, writeError } from './envelope';
import { dispatchHandler } from './handler-dispatch';

export const SERVER_HEADER = 'Skygear Server/1.7.3';

/** An endpoint routed by path before action routing (`/files/…`, `/demo/…`). */
export interface PathRoute {
  matches(method: string, path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void>;
}

export interface HttpAppDeps extends ActionDispatchDeps {
  corsHost: string;
  log: Logger;
  routes: PathRoute[];
  handlers: HttpHandlerSource;
}

/**
 * The node:http request listener. Order: common headers and CORS, OPTIONS preflight, path routes,
 * plugin path handlers, then the JSON action API. Whatever goes wrong becomes an error envelope;
 * nothing a request does can take the process down.
 */
export function createHttpApp(deps: HttpAppDeps): RequestListener {
  return (req, res) => {
    const requestId = randomUUID();
    void handle(deps, req, res, requestId).catch((err) => answerError(deps.log, req, res, requestId, err));
  };
}

async function handle(deps: HttpAppDeps, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  res.setHeader('X-Skygear-Request-Id', requestId);
  res.setHeader('Server', SERVER_HEADER);
  applyCors(deps.corsHost, req, res);
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'OPTIONS' && deps.corsHost) {
    writeEmpty(res, 200);
    return;
  }

  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  deps.log.debug({ requestId, method, path }, 'request');

  const route = deps.routes.find((r) => r.matches(method, path));
  if (route) return route.handle(req, res, url, requestId);

  const handler = deps.handlers.matchHandler(method, path);
  if (handler) return dispatchHandler(deps, handler, req, res, url, requestId);

  return dispatchAction(deps, req, res, path, requestId);
}

function answerError(log: Logger, req: IncomingMessage, res: ServerResponse, requestId: string, err: unknown): void {
  if (req.destroyed && !req.complete) {
    // The client went away mid-request: nothing to answer, nothing wrong with the server.
    log.debug({ err, requestId }, 'client aborted the request');
    res.destroy();
    return;
  }
  const error = SkygearError.from(err);
  if (!(err instanceof SkygearError) || error.code === ErrorCodes.UnexpectedError) {
    log.error({ err, requestId, method: req.method, url: req.url }, 'request failed');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Drain what the client is still sending so the error answer is not cut off by a reset.
  req.resume();
  writeError(res, error);
}
