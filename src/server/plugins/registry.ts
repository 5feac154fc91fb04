import type { HttpHandlerRequest, HttpHandlerResponse } from '../core/actions';
import type { RecordJSON } from '../store/codec/record-json';
import type { PluginContext } from './context';
import { HOOK_TRIGGERS, type HookCall, type HookTrigger } from '../store/record-hooks';
import { PluginRegistrationError } from './plugin-errors';

/**
 * Everything cloud code declared, whichever engine runs it (in-process module or skygear-node over
 * HTTP). Each entry carries an `invoke` that knows how to call its engine; the host only looks up.
 * Registration is validated here, at startup, so a bad declaration fails loudly instead of on the
 * first request.
 */

interface Owned {
  /** Which plugin registered it: a module path/name, or the PLUGINS name of an HTTP plugin. */
  plugin: string;
}

export interface OpEntry extends Owned {
  name: string;
  keyRequired: boolean;
  userRequired: boolean;
  /** `body` is the whole request body (skygear passes it as the lambda's param). */
  invoke(body: Record<string, unknown>, context: PluginContext): Promise<unknown>;
}

export interface HookEntry extends Owned {
  name: string;
  trigger: HookTrigger;
  recordType: string;
  /** Go `async: true`: started after the save commits, not awaited, result and errors only logged. */
  async: boolean;
  /**
   * Run after the save's transaction commits (awaited before the response, errors logged). Set for
   * out-of-process afterSave/afterDelete: the plugin does its SQL on its own connection and would
   * otherwise block on the rows we have not committed yet.
   */
  afterCommit?: boolean;
  /** A beforeSave hook returns the record to save; other triggers return undefined. */
  invoke(call: HookCall, context: PluginContext): Promise<RecordJSON | undefined>;
}

export interface HandlerEntry extends Owned {
  /** The registered name, e.g. `static/` or `chat:upload`. */
  name: string;
  keyRequired: boolean;
  userRequired: boolean;
  invoke(req: HttpHandlerRequest, context: PluginContext): Promise<HttpHandlerResponse>;
}

export interface TimerEntry extends Owned {
  name: string;
  spec: string;
  invoke(): Promise<unknown>;
}

export interface EventEntry extends Owned {
  name: string;
  invoke(param: unknown): Promise<unknown>;
}

export interface ProviderEntry extends Owned {
  type: string;
  id: string;
}

export interface Warn {
  (msg: string): void;
}

/** `chat:upload` → `/chat/upload`; a name ending in `/` stays a subtree prefix (Go ServeMux). */
export function handlerPath(name: string): string {
  const path = name.replace(/:/g, '/');
  return path.startsWith('/') ? path : `/${path}`;
}

export class PluginRegistry {
  private readonly ops = new Map<string, OpEntry>();
  private readonly hooksByKey = new Map<string, HookEntry[]>();
  /** path → method → entry; paths ending in '/' are prefixes. */
  private readonly handlers = new Map<string, Map<string, HandlerEntry>>();
  private readonly events = new Map<string, EventEntry[]>();
  private readonly timerList: TimerEntry[] = [];
  private readonly providerList: ProviderEntry[] = [];

  constructor(private readonly warn: Warn = () => undefined) {}

  addOp(entry: OpEntry): void {
    requireName('op', entry.name);
    requireFunction(`op "${entry.name}"`, entry.invoke);
    const previous = this.ops.get(entry.name);
    // Go: a later lambda of the same name replaces the earlier one.
    if (previous) this.warn(`lambda "${entry.name}" of ${entry.plugin} replaces the one registered by ${previous.plugin}`);
    this.ops.set(entry.name, entry);
  }

  addHook(entry: HookEntry): void {
    if (!(HOOK_TRIGGERS as readonly string[]).includes(entry.trigger)) {
      throw new PluginRegistrationError(
        `hook "${entry.name}": unknown trigger "${String(entry.trigger)}" (expected one of ${HOOK_TRIGGERS.join(', ')})`,
      );
    }
    if (typeof entry.recordType !== 'string' || entry.recordType === '') {
      throw new PluginRegistrationError(`hook "${entry.name}": a record type is required`);
    }
    requireFunction(`hook "${entry.name}"`, entry.invoke);
    const key = hookKey(entry.trigger, entry.recordType);
    const list = this.hooksByKey.get(key) ?? [];
    list.push(entry);
    this.hooksByKey.set(key, list);
  }

  /** One entry per method. Within one plugin a re-registration replaces; across plugins the first wins. */
  addHandler(entry: HandlerEntry, methods: string[]): void {
    requireName('handler', entry.name);
    requireFunction(`handler "${entry.name}"`, entry.invoke);
    if (methods.length === 0) throw new PluginRegistrationError(`handler "${entry.name}": no HTTP method given`);
    const path = handlerPath(entry.name);
    const byMethod = this.handlers.get(path) ?? new Map<string, HandlerEntry>();
    for (const raw of methods) {
      const method = String(raw).toUpperCase();
      const previous = byMethod.get(method);
      if (previous && previous.plugin !== entry.plugin) {
        this.warn(`handler ${method} ${path} of ${entry.plugin} ignored: ${previous.plugin} already serves it`);
        continue;
      }
      byMethod.set(method, entry);
    }
    this.handlers.set(path, byMethod);
  }

  addEvent(entry: EventEntry): void {
    requireName('event', entry.name);
    requireFunction(`event "${entry.name}"`, entry.invoke);
    const list = this.events.get(entry.name) ?? [];
    list.push(entry);
    this.events.set(entry.name, list);
  }

  addTimer(entry: TimerEntry): void {
    requireName('timer', entry.name);
    if (typeof entry.spec !== 'string' || entry.spec.trim() === '') {
      throw new PluginRegistrationError(`timer "${entry.name}": a schedule spec is required`);
    }
    requireFunction(`timer "${entry.name}"`, entry.invoke);
    this.timerList.push(entry);
  }

  /** Accepted so registrations succeed; auth providers are not served by this host. */
  addProvider(entry: ProviderEntry): void {
    this.providerList.push(entry);
  }

  op(name: string): OpEntry | undefined {
    return this.ops.get(name);
  }

  opNames(): string[] {
    return [...this.ops.keys()];
  }

  /** Every (method, path) with a handler, and its entry. */
  handlerRoutes(): Array<{ method: string; path: string; entry: HandlerEntry }> {
    return [...this.handlers].flatMap(([path, byMethod]) => [...byMethod].map(([method, entry]) => ({ method, path, entry })));
  }

  hooks(trigger: HookTrigger, recordType: string): readonly HookEntry[] {
    return this.hooksByKey.get(hookKey(trigger, recordType)) ?? [];
  }

  /** Exact (path, method) first, then the longest registered prefix that covers the path. */
  handler(method: string, path: string): HandlerEntry | undefined {
    const m = method.toUpperCase();
    const exact = this.handlers.get(path)?.get(m);
    if (exact) return exact;
    let best: { length: number; entry: HandlerEntry } | undefined;
    for (const [prefix, byMethod] of this.handlers) {
      if (!prefix.endsWith('/')) continue;
      const covers = path.startsWith(prefix) || path === prefix.slice(0, -1);
      const entry = byMethod.get(m);
      if (covers && entry && (!best || prefix.length > best.length)) best = { length: prefix.length, entry };
    }
    return best?.entry;
  }

  eventFunctions(name: string): readonly EventEntry[] {
    return this.events.get(name) ?? [];
  }

  timers(): readonly TimerEntry[] {
    return this.timerList;
  }

  providers(): readonly ProviderEntry[] {
    return this.providerList;
  }
}

const hookKey = (trigger: string, recordType: string): string => `${trigger}\u0000${recordType}`;

function requireName(kind: string, name: unknown): void {
  if (typeof name !== 'string' || name === '') throw new PluginRegistrationError(`${kind}: a non-empty name is required`);
}

function requireFunction(what: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new PluginRegistrationError(`${what}: expected a function, got ${typeof fn}`);
}
