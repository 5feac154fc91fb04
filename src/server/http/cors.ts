import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * CORS as Go's middleware does it (Part A §1.9): when a CORS host is configured every response allows
 * that origin with credentials and echoes the requested method and headers, which browsers need
 * because the client sends custom X-Skygear-* headers. @fastify/cors answers preflights from a
 * fixed method list on a route of its own; echoing on every path, errors included, is these lines.
 */
export function applyCors(corsHost: string, headers: IncomingHttpHeaders, reply: FastifyReply): void {
  if (!corsHost) return;
  reply.header('Access-Control-Allow-Origin', corsHost);
  reply.header('Access-Control-Allow-Credentials', 'true');
  const method = headers['access-control-request-method'];
  if (method) reply.header('Access-Control-Allow-Methods', method);
  const requested = headers['access-control-request-headers'];
  if (requested) reply.header('Access-Control-Allow-Headers', requested);
}
