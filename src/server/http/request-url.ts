import type { FastifyRequest } from 'fastify';

/** The request's URL, parsed as Go's router sees it: only path and query matter, never the host. */
export function requestUrl(request: FastifyRequest): URL {
  return new URL(request.url, 'http://localhost');
}
