import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticate';
import { classifyKey, type KeyConfig } from '../auth/keys';
import { ErrorCodes, SkygearError } from '../core/errors';
import { canonicalHeaders } from '../plugins/headers';
import type { PluginState } from '../plugins/plugin-host';
import type { HttpHandlerDef } from '../core/actions';
import { credentialsFromQuery } from './credentials';
import { checkPluginGate } from './plugin-gate';
import { withResponseTimeout } from './timeout';

export interface HandlerDispatchDeps {
  authenticator: Authenticator;
  keys: KeyConfig;
  pluginState: () => PluginState;
  responseTimeoutMs: number;
}

/** Headers the server computes itself; a plugin's values would only corrupt the framing. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/**
 * A plugin-registered path handler (Part B §3.4): it gets the raw body bytes and the request
 * headers. The body is not parsed, so key and token come from headers or the query string and
 * `_user_id` impersonation does not exist here.
 */
export async function dispatchHandler(
  deps: HandlerDispatchDeps,
  handler: HttpHandlerDef,
  request: FastifyRequest,
  reply: FastifyReply,
  url: URL,
): Promise<void> {
  const credentials = credentialsFromQuery(request.headers, url.searchParams);
  checkPluginGate(deps.pluginState(), classifyKey(credentials.apiKey, deps.keys).kind, false);
  const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);

  const run = async () => {
    const auth = await deps.authenticator.authenticate(credentials, handler.requires);
    return handler.handle({
      method: request.method,
      path: url.pathname,
      queryString: url.search.replace(/^\?/, ''),
      headers: canonicalHeaders(request.raw.headersDistinct),
      body,
      auth,
      requestId: request.id,
    });
  };
  const response = await withResponseTimeout(deps.responseTimeoutMs, run());

  const status = response.status;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new SkygearError(`plugin handler returned an invalid HTTP status: ${String(status)}`, ErrorCodes.UnexpectedError);
  }
  // One header line per value; names differing only in case are one header.
  const headers = new Map<string, string[]>();
  for (const [name, values] of Object.entries(response.headers ?? {})) {
    const key = name.toLowerCase();
    if (FRAMING_HEADERS.has(key)) continue;
    headers.set(key, [...(headers.get(key) ?? []), ...(Array.isArray(values) ? values : [values]).map(String)]);
  }
  for (const [name, values] of headers) reply.header(name, values.length === 1 ? values[0] : values);
  reply.code(status).send(response.body ?? Buffer.alloc(0));
}
