import type { AccessKeyType } from '../core/auth-context';
import { ErrorCodes, SkygearError } from '../core/errors';
import type { PluginState } from '../plugins/plugin-host';

/**
 * Part B §2.6: until every plugin is ready, gated requests get 503. In the `initialized` window only
 * master-key requests marked `_from_plugin: true` (cloud code calling back during
 * before-plugins-ready) pass.
 */
export function checkPluginGate(state: PluginState, keyType: AccessKeyType | 'wrong' | null, fromPlugin: boolean): void {
  if (state === 'ready') return;
  if (state === 'initialized') {
    if (keyType === 'master' && fromPlugin) return;
    throw new SkygearError('Plugins are initializing at the moment', ErrorCodes.PluginInitializing);
  }
  throw new SkygearError('plugins are unavailable at the moment', ErrorCodes.PluginUnavailable);
}
