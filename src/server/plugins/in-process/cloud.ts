import type { CloudFacade } from '../../../protocol/cloud-facade';
import type { AssetUrls } from '../../core/asset-urls';
import type { Config } from '../../core/config';
import type { ServerEndpoint } from '../../core/endpoint';
import type { Driver } from '../../db/driver';
import { currentTx } from '../../db/tx-scope';
import { invalidArgument } from '../../core/errors';
import type { Logger } from '../../core/log';
import type { PubsubBus } from '../../pubsub/pubsub';
import { BaseAuthProvider } from './base-auth-provider';
import {
  CoreErrorCodes,
  CoreSkygearError,
  cloudCodeContainerClass,
  type CoreCloudCodeContainer,
  type CoreCloudCodeContainerClass,
} from './skygear-core';
import { HOOK_TRIGGERS, type HookTrigger } from '../../store/record-hooks';
import {
  eventInvoker,
  handlerInvoker,
  hookInvoker,
  lambdaInvoker,
  timerInvoker,
  type EventFn,
  type HandlerFn,
  type HookFn,
  type InProcessRuntime,
  type LambdaFn,
  type TimerFn,
} from './calls';
import { PluginRegistrationError } from '../plugin-errors';
import { InProcessPool, type ConnectCallback } from './pool';
import type { PluginRegistry } from '../registry';
import { cloudSettings, type CloudSettings } from './settings';
import { SkygearRequest, SkygearResponse } from './skygear-http';
import type { StaticAssets } from './static-assets';

export type { CloudCallOptions, EventFn, HandlerFn, HookFn, LambdaFn, TimerFn } from './calls';
export type { CoreRecord as SkygearRecord } from './skygear-core';
export type { PluginContext } from '../context';
export type { InProcessPool } from './pool';
export type { CloudSettings } from './settings';

/**
 * The `skygearCloud` object in-process modules receive as `includeme(skygearCloud, settings)`: the same
 * names as `require('skygear/cloud')` (skygear-core 1.7.2 `cloud/index.js`), backed by this host.
 *
 * Differences from skygear-node, all deliberate:
 * - Anonymous hook/timer functions are accepted (named `<type>:<trigger>:<n>` / `timer:<n>`);
 *   skygear-node crashes on them on modern Node ('sha' digest).
 * - An unknown hook trigger throws at registration (Go silently drops it).
 * - `pool` is the host's database (see pool.ts, `pool.inProcess === true`): inside a hook it runs in
 *   the save's transaction.
 * - `publishEventsToChannels` publishes on the host's bus, after the current transaction commits.
 * - `SkygearRequest` is a real class (skygear-core exports it as undefined).
 */
export interface SkygearCloud {
  op(name: string, fn: LambdaFn, options?: { keyRequired?: boolean; userRequired?: boolean; authRequired?: boolean }): void;
  every(spec: string, fn: TimerFn, options?: Record<string, unknown>): void;
  event(name: string, fn: EventFn): void;
  handler(
    path: string,
    fn: HandlerFn,
    options?: { method?: string | string[]; keyRequired?: boolean; userRequired?: boolean; authRequired?: boolean },
  ): void;
  provides(providerType: string, providerId: string, ProviderClass: new () => unknown, options?: Record<string, unknown>): void;
  hook(name: string, fn: HookFn, options: { type: string; trigger: HookTrigger; async?: boolean }): void;
  beforeSave(recordType: string, fn: HookFn, options?: { async?: boolean }): void;
  afterSave(recordType: string, fn: HookFn, options?: { async?: boolean }): void;
  beforeDelete(recordType: string, fn: HookFn, options?: { async?: boolean }): void;
  afterDelete(recordType: string, fn: HookFn, options?: { async?: boolean }): void;
  staticAsset(mountPoint: string, fn: () => string): void;
  readonly pool: InProcessPool;
  poolConnect(callback: ConnectCallback): void;
  readonly settings: CloudSettings;
  readonly skyconfig: Record<string, unknown>;
  getContainer(userId?: string): CoreCloudCodeContainer;
  readonly CloudCodeContainer: CoreCloudCodeContainerClass;
  /** Resolves once scheduled (inside a transaction: published after COMMIT, never on rollback). */
  publishEventsToChannels(channels: string | string[], events: Array<Record<string, unknown>>): Promise<void>;
  /**
   * Host extension (not in skygear-node): runs fn once the transaction the caller runs in (a hook's
   * save) has committed, never after a rollback; outside a transaction, soon. The chat plugin fires
   * its extension hooks of record saves with it.
   */
  afterCommit(fn: () => void | Promise<void>): void;
  /**
   * Host extension (not in skygear-node): runs fn as soon as the caller's transaction is over,
   * committed or rolled back (outside one: now). The chat plugin releases its per-conversation send
   * turn with it.
   */
  afterTransaction(fn: () => void): void;
  /** Host extension (not in skygear-node): whether any plugin registered a lambda of that name. */
  hasLambda(name: string): boolean;
  readonly SkygearRequest: typeof SkygearRequest;
  readonly SkygearResponse: typeof SkygearResponse;
  readonly ErrorCodes: Record<string, number>;
  readonly SkygearError: typeof CoreSkygearError;
  log(name: string): Logger;
  getSigner(): { sign(name: string): Promise<string> };
  readonly BaseAuthProvider: typeof BaseAuthProvider;
}

export interface CloudDeps {
  config: Config;
  db: Driver;
  bus: PubsubBus;
  assets: AssetUrls;
  log: Logger;
  /** Where the server listens (its url is '' until then). */
  endpoint: ServerEndpoint;
  registry: PluginRegistry;
  staticAssets: StaticAssets;
  /** The skyconfig object (the init payload's `config`). */
  skyconfig: Record<string, unknown>;
  /** Which module is registering now (owner of its registrations). */
  owner: () => string;
}

export function createSkygearCloud(deps: CloudDeps): SkygearCloud {
  const { registry, config } = deps;
  const pool = new InProcessPool(deps.db);

  const getContainer = (userId?: string): CoreCloudCodeContainer => {
    const Container = cloudCodeContainerClass();
    const container = new Container();
    container.apiKey = config.masterKey;
    container.endPoint = `${deps.endpoint.url}/`;
    if (userId) container.asUserId = userId;
    return container;
  };
  const runtime: InProcessRuntime = { pool, container: getContainer };

  // skygear-core names hooks and timers after their function, suffixing repeats with -1, -2…
  const nameCounts = new Map<string, number>();
  const uniqueName = (fn: unknown, fallback: string): string => {
    const base = (typeof fn === 'function' && fn.name) || fallback;
    const seen = nameCounts.get(base);
    nameCounts.set(base, seen === undefined ? 0 : seen + 1);
    return seen === undefined ? base : `${base}-${seen + 1}`;
  };
  let anonymous = 0;

  const requireFunction = (what: string, fn: unknown): void => {
    if (typeof fn !== 'function') throw new PluginRegistrationError(`skygearCloud.${what}: expected a function, got ${typeof fn}`);
  };

  const keyRequiredOf = (options: { keyRequired?: boolean; authRequired?: boolean }): boolean =>
    Boolean(options.keyRequired ?? options.authRequired);

  const registerHook = (name: string, fn: HookFn, options: { type?: unknown; trigger?: unknown; async?: boolean }): void => {
    requireFunction(`hook("${name}")`, fn);
    if (!options.type) throw new PluginRegistrationError(`hook "${name}": type is required`);
    if (!(HOOK_TRIGGERS as readonly unknown[]).includes(options.trigger)) {
      throw new PluginRegistrationError(
        `hook "${name}": unknown trigger "${String(options.trigger)}" (expected one of ${HOOK_TRIGGERS.join(', ')})`,
      );
    }
    const trigger = options.trigger as HookTrigger;
    const isAsync = options.async === true;
    registry.addHook({
      plugin: deps.owner(),
      name,
      trigger,
      recordType: String(options.type),
      async: isAsync,
      invoke: hookInvoker(fn, trigger, isAsync, runtime),
    });
  };

  const triggerFn = (trigger: HookTrigger) => (recordType: string, fn: HookFn, options: { async?: boolean } = {}) => {
    requireFunction(`${trigger}("${recordType}")`, fn);
    const name = uniqueName(fn, `${recordType}:${trigger}:${++anonymous}`);
    registerHook(name, fn, { ...options, type: recordType, trigger });
  };

  // skygear-node mounts the `static/` handler for staticAsset mounts; we mount it with the first mount.
  let staticHandlerMounted = false;

  const cloud: SkygearCloud = {
    op(name, fn, options = {}) {
      requireFunction(`op("${name}")`, fn);
      registry.addOp({
        plugin: deps.owner(),
        name,
        keyRequired: keyRequiredOf(options),
        userRequired: Boolean(options.userRequired),
        invoke: lambdaInvoker(fn, runtime),
      });
    },
    every(spec, fn) {
      requireFunction(`every("${spec}")`, fn);
      registry.addTimer({ plugin: deps.owner(), name: uniqueName(fn, `timer:${++anonymous}`), spec, invoke: timerInvoker(fn) });
    },
    event(name, fn) {
      requireFunction(`event("${name}")`, fn);
      registry.addEvent({ plugin: deps.owner(), name, invoke: eventInvoker(fn) });
    },
    handler(path, fn, options = {}) {
      requireFunction(`handler("${path}")`, fn);
      const methods = typeof options.method === 'string' ? [options.method] : options.method ?? ['GET', 'POST', 'PUT'];
      registry.addHandler(
        {
          plugin: deps.owner(),
          name: path,
          keyRequired: keyRequiredOf(options),
          userRequired: Boolean(options.userRequired),
          invoke: handlerInvoker(fn, runtime),
        },
        methods,
      );
    },
    provides(providerType, providerId, ProviderClass, options = {}) {
      requireFunction(`provides("${providerType}", "${providerId}")`, ProviderClass);
      new ProviderClass(); // skygear-node instantiates it at registration; a broken constructor fails here too
      registry.addProvider({ ...options, plugin: deps.owner(), type: providerType, id: providerId });
      deps.log.warn({ provider: providerId }, 'auth providers are registered but not served by this host');
    },
    hook(name, fn, options) {
      registerHook(name, fn, options ?? {});
    },
    beforeSave: triggerFn('beforeSave'),
    afterSave: triggerFn('afterSave'),
    beforeDelete: triggerFn('beforeDelete'),
    afterDelete: triggerFn('afterDelete'),
    staticAsset(mountPoint, fn) {
      requireFunction(`staticAsset("${mountPoint}")`, fn);
      deps.staticAssets.add(mountPoint, fn);
      if (staticHandlerMounted) return;
      staticHandlerMounted = true;
      registry.addHandler(
        { plugin: 'static-assets', name: 'static/', keyRequired: false, userRequired: false, invoke: (req) => deps.staticAssets.serve(req.path, req.headers) },
        ['GET'],
      );
    },
    pool,
    poolConnect(callback) {
      pool.connect(callback);
    },
    settings: cloudSettings(config, deps.endpoint),
    skyconfig: deps.skyconfig,
    getContainer,
    get CloudCodeContainer() {
      return cloudCodeContainerClass();
    },
    async publishEventsToChannels(channels, events) {
      const channelList = typeof channels === 'string' ? [channels] : channels;
      if (!Array.isArray(channelList) || channelList.some((c) => typeof c !== 'string' || c === '')) {
        throw invalidArgument('publishEventsToChannels: channels must be non-empty strings');
      }
      if (!Array.isArray(events) || events.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) {
        throw invalidArgument('publishEventsToChannels: every event must be an object');
      }
      const publishAll = async (): Promise<void> => {
        for (const data of events) await deps.bus.publishMany('public', channelList, data);
      };
      // No event may describe data a reader cannot see yet: inside a transaction, publish after COMMIT
      // (and never after a rollback). Outside one, publish now and let the caller see failures.
      const tx = currentTx();
      if (tx) tx.afterCommit(publishAll);
      else await publishAll();
    },
    afterCommit(fn) {
      const tx = currentTx();
      if (tx) tx.afterCommit(fn);
      else void Promise.resolve().then(fn).catch((err: unknown) => deps.log.error({ err }, 'afterCommit callback failed'));
    },
    afterTransaction(fn) {
      const tx = currentTx();
      if (tx) tx.afterEnd(fn);
      else fn();
    },
    hasLambda(name) {
      return registry.op(name) !== undefined;
    },
    SkygearRequest,
    SkygearResponse,
    ErrorCodes: CoreErrorCodes,
    SkygearError: CoreSkygearError,
    log(name) {
      return deps.log.child({ plugin: name });
    },
    getSigner() {
      return { sign: async (name: string) => deps.assets.url(name) };
    },
    BaseAuthProvider,
  };
  // The contract in-process cloud code (the chat plugin) is written against: a mismatch fails typecheck.
  return cloud satisfies CloudFacade;
}
