import type { ActionDef } from '../../core/actions';

/** `_status:healthz` (Part A §9.6): OK once plugins are ready; the plugin gate answers 503 before. */
export function statusActions(): ActionDef[] {
  return [{ name: '_status:healthz', requires: 'none', handle: async () => ({ status: 'OK' }) }];
}
