import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ErrorCodes, SkygearError } from '../core/errors';

export type UpgradeKeyType = 'client' | 'master';

export interface GatewayKeys {
  apiKey: string;
  masterKey: string;
}

/**
 * The pubsub endpoints' only check (Part B §1.1): an API key (client or master) from the
 * `X-Skygear-Api-Key` header or the `api_key` query parameter. No user, no access token.
 * Throws 101 "Api key is empty" or 103 "Cannot verify api key: `<key>`".
 */
export function verifyUpgradeApiKey(req: IncomingMessage, keys: GatewayKeys): UpgradeKeyType {
  const candidates = keyCandidates(req);
  if (candidates.length === 0) throw new SkygearError('Api key is empty', ErrorCodes.NotAuthenticated);
  if (candidates.some((key) => keys.masterKey !== '' && sameKey(key, keys.masterKey))) return 'master';
  if (candidates.some((key) => keys.apiKey !== '' && sameKey(key, keys.apiKey))) return 'client';
  throw new SkygearError(`Cannot verify api key: \`${candidates[0]}\``, ErrorCodes.AccessKeyNotAccepted);
}

/**
 * The header wins when non-empty. The JS client appends `?api_key=<key>` WITHOUT URL-encoding, so a
 * key containing `+` or `%` arrives raw; we accept the query value both decoded (what a correct
 * client sends) and exactly as written (what the 1.7.2 client sends).
 */
function keyCandidates(req: IncomingMessage): string[] {
  const header = req.headers['x-skygear-api-key'];
  const headerKey = Array.isArray(header) ? header[0] : header;
  if (headerKey) return [headerKey];

  const raw = rawQueryValue(req.url ?? '', 'api_key');
  if (!raw) return [];
  const decoded = safeDecode(raw);
  return decoded === raw || decoded === '' ? [raw] : [decoded, raw];
}

function rawQueryValue(url: string, name: string): string | undefined {
  const start = url.indexOf('?');
  if (start < 0) return undefined;
  const query = url.slice(start + 1).split('#', 1)[0] ?? '';
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (key === name) return eq < 0 ? '' : part.slice(eq + 1);
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
