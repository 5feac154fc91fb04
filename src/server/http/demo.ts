import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { PathRoutes } from './app';
import { answerNotFound } from './answer-error';
import { requestUrl } from './request-url';
// For its side effect: .js served as text/javascript by @fastify/static too (core/static-send.ts).
import '../core/static-send';

/** The browser build of the skygear 1.7.2 client (it sets `window.skygear`). */
function clientBundleFile(): string {
  return require.resolve('skygear/dist/skygear.min.js');
}

/**
 * GET/HEAD `/demo/…`: static files of the demo app from `demoDir` (`/demo` redirects to `/demo/`,
 * directories serve their index.html), plus the unmodified skygear client bundle at
 * `/demo/vendor/skygear.js`, so the demo runs from the same origin as the API. Revalidated on
 * every load (`no-cache`, with the ETag and Last-Modified @fastify/static sends).
 */
export function demoRoutes(demoDir: string): PathRoutes {
  return async (scope: FastifyInstance) => {
    await scope.register(fastifyStatic, {
      root: path.resolve(demoDir),
      prefix: '/demo/',
      cacheControl: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    });
    // @fastify/static redirects directories below the prefix, not the prefix itself.
    scope.route({
      method: ['GET', 'HEAD'],
      url: '/demo',
      handler: (request, reply) => reply.redirect(`/demo/${requestUrl(request).search}`, 301),
    });
    const bundle = clientBundleFile();
    scope.route({
      method: ['GET', 'HEAD'],
      url: '/demo/vendor/skygear.js',
      handler: (_request, reply) => reply.header('Cache-Control', 'no-cache').sendFile(path.basename(bundle), path.dirname(bundle), { cacheControl: false }),
    });
    // A path that climbs out of the directory is refused by send with 403; to a visitor it is just not there.
    scope.setErrorHandler((err, request, reply) => {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 403 || status === 404) return answerNotFound(reply, request.url);
      throw err;
    });
  };
}
