import type { IncomingHttpHeaders } from 'node:http';

/** The API key and access token a request presents; '' means "none". */
export interface Credentials {
  apiKey: string;
  accessToken: string;
}

const API_KEY_HEADER = 'x-skygear-api-key';
const ACCESS_TOKEN_HEADER = 'x-skygear-access-token';

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * JSON API requests: a non-empty header wins over the body field; `access_token: null` (how the
 * client says "logged out") and any other non-string mean none.
 */
export function credentialsFromBody(headers: IncomingHttpHeaders, body: Record<string, unknown>): Credentials {
  return {
    apiKey: header(headers, API_KEY_HEADER) || str(body.api_key),
    accessToken: header(headers, ACCESS_TOKEN_HEADER) || str(body.access_token),
  };
}

/** Path-routed endpoints (files, plugin handlers) never parse the body: header, else query. */
export function credentialsFromQuery(headers: IncomingHttpHeaders, query: URLSearchParams): Credentials {
  return {
    apiKey: header(headers, API_KEY_HEADER) || (query.get('api_key') ?? ''),
    accessToken: header(headers, ACCESS_TOKEN_HEADER) || (query.get('access_token') ?? ''),
  };
}
