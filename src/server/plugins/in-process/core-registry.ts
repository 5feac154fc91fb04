import type { Logger } from '../../core/log';
import type { SkygearCloud } from './cloud';
import type { HookTrigger } from '../../store/record-hooks';

/**
 * Cloud code that registers through `require('skygear/cloud')` instead of the `skygearCloud` argument
 * of includeme — for instance `require('skygear-chat/cloud').afterMessageSent(fn)`, which registers
 * the lambda `chat:after_message_sent_hook` — lands in skygear-core's module-level registry, which is
 * what skygear-node serves. So that such a module works in process too, after each module is loaded
 * the host adopts whatever is new in every copy of that registry loaded in this process (a user's
 * folder may bring its own skygear), through the same facade calls as includeme's registrations.
 *
 * Registrations made later, at run time, are not seen (skygear-node reads its registry once too).
 * Auth providers are not adopted: this host does not serve them.
 */
interface CoreRegistry {
  paramMap: {
    op: Array<{ name: string; key_required?: boolean; user_required?: boolean }>;
    hook: Array<{ name: string; type: string; trigger: string; async?: boolean }>;
    event: Array<{ name: string }>;
    timer: Array<{ name: string; spec: string }>;
    handler: Array<{ name: string; methods: string[]; key_required?: boolean; user_required?: boolean }>;
    provider: Array<{ type: string; id: string }>;
  };
  funcMap: {
    op: Record<string, (...args: never[]) => unknown>;
    hook: Record<string, (...args: never[]) => unknown>;
    event: Record<string, Array<(...args: never[]) => unknown>>;
    timer: Record<string, (...args: never[]) => unknown>;
  };
  handlers: Record<string, Record<string, (...args: never[]) => unknown>>;
  staticAsset: Record<string, () => string>;
}

const REGISTRY_FILE = /[\\/]skygear-core[\\/]dist[\\/]cloud[\\/]registry\.js$/;

/** What was adopted from each registry already, so a registration is adopted once. */
const adopted = new WeakMap<SkygearCloud, WeakMap<CoreRegistry, Set<string>>>();

export function adoptCoreRegistrations(cloud: SkygearCloud, log: Logger): void {
  let byRegistry = adopted.get(cloud);
  if (!byRegistry) adopted.set(cloud, (byRegistry = new WeakMap()));
  for (const registry of loadedRegistries()) {
    let done = byRegistry.get(registry);
    if (!done) byRegistry.set(registry, (done = new Set()));
    adoptFrom(cloud, registry, done, log);
  }
}

function loadedRegistries(): CoreRegistry[] {
  const out: CoreRegistry[] = [];
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!REGISTRY_FILE.test(file)) continue;
    const registry = (mod?.exports as { default?: CoreRegistry } | undefined)?.default;
    if (registry?.paramMap && registry.funcMap) out.push(registry);
  }
  return out;
}

function adoptFrom(cloud: SkygearCloud, registry: CoreRegistry, done: Set<string>, log: Logger): void {
  const once = (key: string, register: () => void) => {
    if (done.has(key)) return;
    done.add(key);
    register();
  };
  const { paramMap, funcMap } = registry;
  for (const p of paramMap.op) {
    once(`op:${p.name}`, () => cloud.op(p.name, funcMap.op[p.name] as never, { keyRequired: p.key_required, userRequired: p.user_required }));
  }
  for (const p of paramMap.hook) {
    once(`hook:${p.name}`, () => cloud.hook(p.name, funcMap.hook[p.name] as never, { type: p.type, trigger: p.trigger as HookTrigger, async: p.async }));
  }
  for (const p of paramMap.event) {
    (funcMap.event[p.name] ?? []).forEach((fn, i) => once(`event:${p.name}:${i}`, () => cloud.event(p.name, fn as never)));
  }
  for (const p of paramMap.timer) once(`timer:${p.name}`, () => cloud.every(p.spec, funcMap.timer[p.name] as never));
  for (const p of paramMap.handler) {
    for (const method of p.methods) {
      const fn = registry.handlers[p.name]?.[method];
      if (fn) once(`handler:${method}:${p.name}`, () => cloud.handler(p.name, fn as never, { method, keyRequired: p.key_required, userRequired: p.user_required }));
    }
  }
  for (const [mountPoint, fn] of Object.entries(registry.staticAsset)) once(`asset:${mountPoint}`, () => cloud.staticAsset(mountPoint, fn));
  for (const p of paramMap.provider) {
    once(`provider:${p.type}:${p.id}`, () => log.warn({ provider: p.id }, 'auth providers registered through skygear/cloud are not served by this host'));
  }
}
