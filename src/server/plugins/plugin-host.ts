import type { ActionSource, HttpHandlerSource } from '../core/actions';
import type { RecordHooks } from '../store/record-hooks';

export type PluginState = 'uninitialized' | 'initialized' | 'ready';

/**
 * Hosts cloud-code modules: in-process ones (LOAD_MODULES, includeme(skygearCloud, settings)) and
 * out-of-process ones (skygear-node over the plugin HTTP transport). To the rest of the server it is
 * three things: record hooks for the store, lambdas for the router, path handlers for the HTTP layer.
 */
export interface PluginHost extends RecordHooks, ActionSource, HttpHandlerSource {
  readonly state: PluginState;
  /** Loads every module, registers what they declare and runs the lifecycle events up to ready. */
  start(): Promise<void>;
  close(): Promise<void>;
}
