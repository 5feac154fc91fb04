import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticate';
import { classifyKey, type KeyConfig } from '../auth/keys';
import { ErrorCodes, SkygearError } from '../errors';
import type { PluginState } from '../plugins/plugin-host';
import type { HttpHandlerDef } from './action';
import { readBody } from './body';
import { credentialsFromQuery } from './credentials';
import { canonicalHeaders } from './headers';
import { checkPluginGate } from './plugin-gate';
import { withResponseTimeout } from './timeout';

export interface HandlerDispatchDeps {
  authenticator: Authenticator;
  keys: KeyConfig;
  pluginState: () => PluginState;
  responseTimeoutMs: number;
}

/** Plugin handler bodies are passed whole (base64 to out-of-process plugins), so keep them bounded. */
const MAX_HANDLER_BODY_BYTES = 32 * 1024 * 1024;

/** Headers the server computes itself; a plugin's values would only corrupt the framing. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/**
 * A plugin-registered path handler (Part B §3.4). The body is not parsed, so key and token come
 * from headers or the query string and `_user_id` impersonation does not exist here.
 */
export async function dispatchHandler(
  deps: HandlerDispatchDeps,
  handler: HttpHandlerDef,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  const credentials = credentialsFromQuery(req, url.searchParams);
  checkPluginGate(deps.pluginState(), classifyKey(credentials.apiKey, deps.keys).kind, false);
  const body = await readBody(req, MAX_HANDLER_BODY_BYTES);

  const run = async () => {
    const auth = await deps.authenticator.authenticate(credentials, handler.requires);
    return handler.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      queryString: url.search.replace(/^\?/, ''),
      headers: canonicalHeaders(req),
      body,
      auth,
      requestId,
    });
  };
  const response = await withResponseTimeout(deps.responseTimeoutMs, run());

  const status = response.status;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new SkygearError(`plugin handler returned an invalid HTTP status: ${String(status)}`, ErrorCodes.UnexpectedError);
  }
  for (const [name, values] of Object.entries(response.headers ?? {})) {
    if (FRAMING_HEADERS.has(name.toLowerCase())) continue;
    for (const value of Array.isArray(values) ? values : [values]) res.appendHeader(name, String(value));
  }
  const payload = response.body ?? Buffer.alloc(0);
  res.statusCode = status;
  res.setHeader('Content-Length', payload.length);
  res.end(req.method === 'HEAD' ? undefined : payload);
}
