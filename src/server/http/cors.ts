import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS as Go's middleware does it (Part A §1.9): when a CORS host is configured every response allows
 * that origin with credentials and echoes the requested method and headers, which browsers need
 * because the client sends custom X-Skygear-* headers.
 */
export function applyCors(corsHost: string, req: IncomingMessage, res: ServerResponse): void {
  if (!corsHost) return;
  res.setHeader('Access-Control-Allow-Origin', corsHost);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  const method = req.headers['access-control-request-method'];
  if (method) res.setHeader('Access-Control-Allow-Methods', method);
  const headers = req.headers['access-control-request-headers'];
  if (headers) res.setHeader('Access-Control-Allow-Headers', headers);
}
