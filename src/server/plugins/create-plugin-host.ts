import type { AssetUrls } from '../core/asset-urls';
import type { Config } from '../core/config';
import type { ServerEndpoint } from '../core/endpoint';
import type { Driver } from '../db/driver';
import type { ActionDef, HttpHandlerDef } from '../core/actions';
import type { Logger } from '../core/log';
import type { PubsubBus } from '../pubsub/pubsub';
import type { RecordJSON } from '../store/codec/record-json';
import { checkTypedValues } from '../store/codec/typed-values';
import { createSkygearCloud, type SkygearCloud } from './in-process/cloud';
import { masterKeyActionMatcher, pluginContext, requirementOf, type PluginContext } from './context';
import type { HookCall, HookTrigger } from '../store/record-hooks';
import { loadInProcessModules } from './in-process/load-modules';
import { initPayload, type InitPayload } from './init-payload';
import type { PluginHost, PluginState } from './plugin-host';
import { PluginRegistry, type HookEntry, type OpEntry } from './registry';
import { StaticAssets } from './in-process/static-assets';
import { startTimers } from './timers';
import { HttpPlugin } from './transport/http';

export interface PluginHostDeps {
  config: Config;
  db: Driver;
  schema: string;
  log: Logger;
  bus: PubsubBus;
  assets: AssetUrls;
  /** Where the server listens, filled in before start() (callbacks from cloud code go there). */
  endpoint: ServerEndpoint;
}

/** The host plus what tests and the composition root may want to look at. */
export interface LocalPluginHost extends PluginHost {
  /** The facade in-process modules received. */
  readonly skygearCloud: SkygearCloud;
  readonly registry: PluginRegistry;
}

/** Lifecycle events after registration, in Go's order (Part B §2.3). */
const READY_EVENTS = ['after-plugins-ready', 'server-ready'] as const;

/**
 * Runs the plugin lifecycle for in-process modules (LOAD_MODULES) and HTTP plugins (PLUGINS) and
 * serves what they registered: lambdas (ActionSource), path handlers (HttpHandlerSource), record hooks
 * (RecordHooks, called by the store inside the save's transaction).
 *
 * State: 'uninitialized' while loading and initializing → 'initialized' once every plugin registered
 * (before-plugins-ready runs now; the HTTP gate answers 121) → 'ready' → after-plugins-ready,
 * server-ready, timers start.
 */
export function createPluginHost(deps: PluginHostDeps): LocalPluginHost {
  const log = deps.log.child({ component: 'plugins' });
  const registry = new PluginRegistry((msg) => log.warn(msg));
  // Renewed in start(): it names the port the server listens on, known only by then (PORT=0).
  const payload: InitPayload = initPayload(deps.config, deps.endpoint);
  const masterKeyOnly = masterKeyActionMatcher(deps.config.masterKeyActions);
  const staticAssets = new StaticAssets();
  let owner = 'in-process';
  const skygearCloud = createSkygearCloud({
    config: deps.config,
    db: deps.db,
    bus: deps.bus,
    assets: deps.assets,
    log,
    endpoint: deps.endpoint,
    registry,
    staticAssets,
    skyconfig: payload.config,
    owner: () => owner,
  });
  const httpPlugins = deps.config.httpPlugins.map(
    (p) => new HttpPlugin(p.name, p.url, { registry, log, timeoutMs: deps.config.responseTimeoutMs }),
  );

  let state: PluginState = 'uninitialized';
  let started = false;
  const abort = new AbortController();
  let stopTimers: () => void = () => undefined;

  /** In-process functions in registration order, then each HTTP plugin in turn; failures are logged. */
  async function broadcast(name: string, includeHttp = true): Promise<void> {
    for (const entry of registry.eventFunctions(name)) {
      try {
        await entry.invoke(payload);
      } catch (err) {
        log.error({ err, event: name, plugin: entry.plugin }, 'cloud code event function failed');
      }
    }
    if (includeHttp) for (const plugin of httpPlugins) await plugin.sendEvent(name, payload, abort.signal);
  }

  function hookContext(entry: HookEntry, call: HookCall): PluginContext {
    const context = pluginContext(call.auth, call.requestId, 'record');
    // Go gives async hooks only who is acting.
    if (entry.async) return { user_id: context.user_id, access_key_type: context.access_key_type };
    return context;
  }

  /** Starts the hook once the save has committed; `awaitIt` makes the response wait for it. */
  function runAfterCommit(entry: HookEntry, call: HookCall, awaitIt: boolean): void {
    const context = hookContext(entry, call);
    call.tx.afterCommit(() => {
      const running = entry.invoke(call, context).then(
        () => undefined,
        (err: unknown) => log.error({ err, hook: entry.name, plugin: entry.plugin, trigger: entry.trigger }, 'hook after commit failed'),
      );
      return awaitIt ? running : undefined;
    });
  }

  const host: LocalPluginHost = {
    skygearCloud,
    registry,

    get state() {
      return state;
    },

    async start() {
      if (started) throw new Error('plugin host already started');
      started = true;
      Object.assign(payload.config, initPayload(deps.config, deps.endpoint).config);
      await loadInProcessModules(deps.config.loadModules, skygearCloud, (name) => (owner = name), log);
      for (const name of ['before-config', 'init', 'after-config']) await broadcast(name, false);
      await Promise.all(httpPlugins.map((p) => p.initialize(payload, abort.signal)));
      state = 'initialized';
      await broadcast('before-plugins-ready');
      state = 'ready';
      for (const name of READY_EVENTS) await broadcast(name);
      stopTimers = startTimers(registry.timers(), log);
      log.info({ modules: deps.config.loadModules, http: httpPlugins.map((p) => p.name) }, 'plugins ready');
    },

    async close() {
      abort.abort(new Error('plugin host closed'));
      stopTimers();
    },

    findAction(name: string): ActionDef | undefined {
      const op = withTypedValueCheck(registry.op(name));
      if (!op) return undefined;
      return {
        name,
        requires: masterKeyOnly(name) ? 'master' : requirementOf(op),
        handle: (req) => op.invoke(req.body, pluginContext(req.auth, req.requestId, 'plugin')),
      };
    },

    listActions(): ActionDef[] {
      return registry.opNames().flatMap((name) => host.findAction(name) ?? []);
    },

    listHandlers() {
      return registry.handlerRoutes().map(({ method, path, entry }) => ({ method, path, requires: requirementOf(entry) }));
    },

    matchHandler(method: string, path: string): HttpHandlerDef | undefined {
      const entry = registry.handler(method, path);
      if (!entry) return undefined;
      return {
        requires: requirementOf(entry),
        handle: (req) => entry.invoke(req, pluginContext(req.auth, req.requestId, 'plugin')),
      };
    },

    has(trigger: HookTrigger, recordType: string): boolean {
      return registry.hooks(trigger, recordType).length > 0;
    },

    /**
     * Every hook for (trigger, type) in registration order; the first error stops the rest and fails the
     * record. beforeSave hooks see the previous hook's result and the last result is returned.
     */
    async run(call: HookCall): Promise<RecordJSON | undefined> {
      let record = call.record;
      for (const entry of registry.hooks(call.trigger, call.recordType)) {
        const current: HookCall = { ...call, record };
        if (entry.async) {
          runAfterCommit(entry, current, false);
          continue;
        }
        if (entry.afterCommit) {
          runAfterCommit(entry, current, true);
          continue;
        }
        const result = await entry.invoke(current, hookContext(entry, current));
        if (call.trigger === 'beforeSave' && result) record = result;
      }
      return call.trigger === 'beforeSave' ? record : undefined;
    },
  };
  return host;
}

/**
 * The op with the host's typed-value check in front: one place for every plugin, in process or over
 * the HTTP transport, so no lambda sees a malformed `$type` (108 naming its path instead).
 */
function withTypedValueCheck(op: OpEntry | undefined): OpEntry | undefined {
  if (!op) return undefined;
  return {
    ...op,
    invoke: async (body, context) => {
      for (const [key, value] of Object.entries(body)) checkTypedValues(value, key);
      return op.invoke(body, context);
    },
  };
}
