import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticate';
import { classifyKey, type KeyConfig } from '../auth/keys';
import type { PluginState } from '../plugins/plugin-host';
import { ResultWithInfo } from './action';
import { parseJsonObject, readBody } from './body';
import { credentialsFromBody } from './credentials';
import { writeResult } from './envelope';
import { checkPluginGate } from './plugin-gate';
import type { ActionRouter } from './router';
import { withResponseTimeout } from './timeout';

export interface ActionDispatchDeps {
  router: ActionRouter;
  authenticator: Authenticator;
  keys: KeyConfig;
  pluginState: () => PluginState;
  responseTimeoutMs: number;
}

/**
 * The JSON API: parse the body, resolve the action, pass the plugin gate, authenticate against the
 * action's requirement and run it; the handler's return value becomes `{"result": …}`.
 * Errors are thrown to the app, which writes the envelope.
 */
export async function dispatchAction(deps: ActionDispatchDeps, req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
  const body = parseJsonObject(await readBody(req));
  const resolution = deps.router.resolve(path, body.action);
  if (resolution.kind === 'empty') {
    writeResult(res, { status: 'OK' });
    return;
  }
  const { name, def } = resolution;
  const credentials = credentialsFromBody(req, body);

  if (def.pluginGate !== false) {
    checkPluginGate(deps.pluginState(), classifyKey(credentials.apiKey, deps.keys).kind, body._from_plugin === true);
  }

  // Plugins receive the whole body with the header credentials merged in (Part B §3.2).
  const merged: Record<string, unknown> = { ...body, action: name };
  if (credentials.apiKey) merged.api_key = credentials.apiKey;
  if (credentials.accessToken) merged.access_token = credentials.accessToken;

  const run = async () => {
    const auth = await deps.authenticator.authenticate({ ...credentials, impersonate: body._user_id }, def.requires);
    return def.handle({ action: name, body: merged, auth, requestId });
  };
  const result = await withResponseTimeout(deps.responseTimeoutMs, run());
  if (result instanceof ResultWithInfo) writeResult(res, result.result, result.info);
  else writeResult(res, result);
}
