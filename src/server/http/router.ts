import { ErrorCodes, SkygearError } from '../core/errors';
import type { ActionDef, ActionSource } from '../core/actions';

export type Resolution = { kind: 'empty' } | { kind: 'action'; name: string; def: ActionDef };

export const routeUnmatched = () => new SkygearError('route unmatched', ErrorCodes.UndefinedOperation);

/**
 * Action lookup: built-in actions first, then the extra sources (plugin lambdas) in order.
 * Resolution follows Go (Part A §1.1): the URL path with '/' → ':' when it names a known action,
 * else the body's `action`; neither given → the empty action; a name nobody knows → 117.
 */
export class ActionRouter {
  private readonly builtins = new Map<string, ActionDef>();

  constructor(actions: ActionDef[], private readonly sources: ActionSource[] = []) {
    for (const def of actions) {
      if (this.builtins.has(def.name)) throw new Error(`action ${def.name} is defined twice`);
      this.builtins.set(def.name, def);
    }
  }

  find(name: string): ActionDef | undefined {
    const builtin = this.builtins.get(name);
    if (builtin) return builtin;
    for (const source of this.sources) {
      const def = source.findAction(name);
      if (def) return def;
    }
    return undefined;
  }

  isBuiltin(name: string): boolean {
    return this.builtins.has(name);
  }

  /** Built-in actions, then each source's (a name a source repeats is served by the first). */
  list(): ActionDef[] {
    const all = new Map(this.builtins);
    for (const source of this.sources) for (const def of source.listActions()) if (!all.has(def.name)) all.set(def.name, def);
    return [...all.values()];
  }

  resolve(path: string, bodyAction: unknown): Resolution {
    const fromPath = path.replace(/^\//, '').replace(/\//g, ':');
    if (fromPath !== '') {
      const def = this.find(fromPath);
      if (def) return { kind: 'action', name: fromPath, def };
    }
    const fromBody = typeof bodyAction === 'string' ? bodyAction : '';
    if (fromBody !== '') {
      const def = this.find(fromBody);
      if (def) return { kind: 'action', name: fromBody, def };
      throw routeUnmatched();
    }
    if (fromPath === '') return { kind: 'empty' };
    throw routeUnmatched();
  }
}
