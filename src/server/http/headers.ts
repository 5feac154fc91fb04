import type { IncomingMessage } from 'node:http';

/** Go's canonical header key: `content-type` → `Content-Type`, `x-skygear-api-key` → `X-Skygear-Api-Key`. */
export function canonicalHeaderKey(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('-');
}

/** The request headers as plugins receive them (Part B §3.4): canonical keys, array values, no Host. */
export function canonicalHeaders(req: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (name === 'host' || values === undefined) continue;
    out[canonicalHeaderKey(name)] = [...values];
  }
  return out;
}
