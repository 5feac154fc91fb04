import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../core/log';
import type { HttpHandlerSource } from '../core/actions';
import { dispatchAction, type ActionDispatchDeps } from './action-dispatch';
import { MAX_HANDLER_BODY_BYTES } from './body';
import { applyCors } from './cors';
import { answerError } from './answer-error';
import { sendError } from './envelope';
import { routeUnmatched } from './router';
import { dispatchHandler } from './handler-dispatch';
import { requestUrl } from './request-url';

export const SERVER_HEADER = 'Skygear Server/1.7.3';

/** Endpoints routed by path before action routing (`/files/…`, `/demo/…`), each in its own fastify scope. */
export type PathRoutes = (scope: FastifyInstance) => Promise<void> | void;

export interface HttpAppDeps extends ActionDispatchDeps {
  corsHost: string;
  log: Logger;
  routes: PathRoutes[];
  handlers: HttpHandlerSource;
}

/** Every method fastify knows: the API answers any of them (Go's router does not look at the method). */
const ANY_METHOD = ['GET', 'HEAD', 'TRACE', 'DELETE', 'OPTIONS', 'PATCH', 'PUT', 'POST'];

/**
 * The HTTP app on fastify. Every response gets the request id, the Server header and CORS; OPTIONS
 * is the preflight answer. Path routes have their own scopes; everything else goes to one catch-all
 * route: plugin path handlers first (they are registered while the server runs, so they cannot be
 * fastify routes), then the JSON action API. Whatever goes wrong becomes an error envelope; nothing
 * a request does can take the process down.
 */
export async function createHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    genReqId: () => randomUUID(),
    exposeHeadRoutes: false,
    // Requests still in flight get their answers; new ones on a closing server get fastify's 503.
    forceCloseConnections: 'idle',
    clientErrorHandler: (err, socket) => rejectMalformedRequest(deps.log, err, socket),
    frameworkErrors: (err, request, reply) => {
      addCommonHeaders(deps, request, reply);
      answerError(deps.log, request, reply, err);
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    addCommonHeaders(deps, request, reply);
    deps.log.debug({ requestId: request.id, method: request.method, url: request.url }, 'request');
    // Go answers every preflight itself, whatever the path.
    if (request.method === 'OPTIONS' && deps.corsHost) return reply.code(200).header('Content-Length', 0).send();
  });
  app.setErrorHandler((err, request, reply) => answerError(deps.log, request, reply, err));
  // Methods fastify does not route, and files the static scopes do not have: Go's unknown-route answer.
  app.setNotFoundHandler((_request, reply) => sendError(reply, routeUnmatched()));

  for (const routes of deps.routes) await app.register(async (scope) => routes(scope));
  await app.register(async (scope) => apiRoutes(scope, deps));
  return app;
}

function addCommonHeaders(deps: HttpAppDeps, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('X-Skygear-Request-Id', request.id);
  reply.header('Server', SERVER_HEADER);
  applyCors(deps.corsHost, request.headers, reply);
}

/** The catch-all: plugin path handlers, then the JSON action API. Bodies arrive as bytes whatever their type. */
function apiRoutes(scope: FastifyInstance, deps: HttpAppDeps): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_HANDLER_BODY_BYTES }, (_request, body, done) => done(null, body));
  scope.route({
    method: ANY_METHOD,
    url: '/*',
    handler: async (request, reply) => {
      const url = requestUrl(request);
      const handler = deps.handlers.matchHandler(request.method, url.pathname);
      if (handler) await dispatchHandler(deps, handler, request, reply, url);
      else await dispatchAction(deps, request, reply, url.pathname);
      return reply;
    },
  });
}

/** A request node's parser cannot read: a bare 400 and close, as Go's server does. */
function rejectMalformedRequest(log: Logger, err: Error, socket: Socket): void {
  log.debug({ err }, 'malformed HTTP request');
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  else socket.destroy();
}
