import { TEST_MASTER_KEY, type TestServer } from './server';

export interface RawResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: any;
  text: string;
}

/**
 * A raw HTTP call for what the skygear client cannot express (wrong keys, malformed bodies,
 * master-key-only actions). `body` objects are sent as JSON; strings are sent verbatim.
 */
export async function rawRequest(
  server: Pick<TestServer, 'url'>,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const res = await fetch(server.url + path, {
    method: init.method ?? 'POST',
    headers: { 'Content-Type': 'application/json', ...init.headers },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** POST <path> with the given API key (or none) and JSON body: an action call as the client makes it. */
export function callAction(
  server: Pick<TestServer, 'url'>,
  action: string,
  body: Record<string, unknown> = {},
  opts: { apiKey?: string; accessToken?: string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  if (opts.apiKey) headers['X-Skygear-API-Key'] = opts.apiKey;
  if (opts.accessToken) headers['X-Skygear-Access-Token'] = opts.accessToken;
  return rawRequest(server, '/' + action.replace(/:/g, '/'), { body: { action, ...body }, headers });
}

/** An action called with the master key. */
export function masterAction(server: Pick<TestServer, 'url'>, action: string, body: Record<string, unknown> = {}): Promise<RawResponse> {
  return callAction(server, action, body, { apiKey: TEST_MASTER_KEY });
}
