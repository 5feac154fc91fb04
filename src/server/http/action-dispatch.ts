import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticate';
import { classifyKey, type KeyConfig } from '../auth/keys';
import type { PluginState } from '../plugins/plugin-host';
import { ResultWithInfo } from '../core/actions';
import { parseJsonObject } from './body';
import { credentialsFromBody } from './credentials';
import { sendResult } from './envelope';
import { checkPluginGate } from './plugin-gate';
import { withResponseTimeout } from './timeout';
import type { ActionRouter } from './router';

export interface ActionDispatchDeps {
  router: ActionRouter;
  authenticator: Authenticator;
  keys: KeyConfig;
  pluginState: () => PluginState;
  /** RESPONSE_TIMEOUT in ms (0: none), for actions and plugin handlers. */
  responseTimeoutMs: number;
}

/**
 * The JSON API: parse the body, resolve the action, pass the plugin gate, authenticate against the
 * action's requirement and run it; the handler's return value becomes `{"result": …}`.
 * Errors are thrown to the app, which writes the envelope.
 */
export async function dispatchAction(deps: ActionDispatchDeps, request: FastifyRequest, reply: FastifyReply, path: string): Promise<void> {
  const body = parseJsonObject(request.body as Buffer | undefined);
  const resolution = deps.router.resolve(path, body.action);
  if (resolution.kind === 'empty') {
    sendResult(reply, { status: 'OK' });
    return;
  }
  const { name, def } = resolution;
  const credentials = credentialsFromBody(request.headers, body);

  if (def.pluginGate !== false) {
    checkPluginGate(deps.pluginState(), classifyKey(credentials.apiKey, deps.keys).kind, body._from_plugin === true);
  }

  // Plugins receive the whole body with the header credentials merged in (Part B §3.2).
  const merged: Record<string, unknown> = { ...body, action: name };
  if (credentials.apiKey) merged.api_key = credentials.apiKey;
  if (credentials.accessToken) merged.access_token = credentials.accessToken;

  const run = async () => {
    const auth = await deps.authenticator.authenticate({ ...credentials, impersonate: body._user_id }, def.requires);
    return def.handle({ action: name, body: merged, auth, requestId: request.id });
  };
  const result = await withResponseTimeout(deps.responseTimeoutMs, run());
  if (result instanceof ResultWithInfo) sendResult(reply, result.result, result.info);
  else sendResult(reply, result);
}
