import path from 'node:path';
import type { Logger } from '../../core/log';
import type { SkygearCloud } from './cloud';
import { adoptCoreRegistrations } from './core-registry';
import { PluginRegistrationError } from '../plugin-errors';

/**
 * Loads LOAD_MODULES in process, the way skygear-node's `configModule` does: `require` each module in
 * order (whatever it does at import time happens), then `await includeme(skygearCloud, {})` — skygear-node
 * passes a fresh empty object, not its settings, and so do we. A module without `includeme` is loaded
 * with a warning.
 *
 * Modules may register through the `skygearCloud` argument or, as under skygear-node, through
 * `require('skygear/cloud')` (skygear-core's own registry, adopted after each module: core-registry.ts).
 *
 * Names are resolved from the project (cwd), not from skygear-core's location as skygear-node does;
 * absolute paths and paths relative to cwd work too.
 */
export async function loadInProcessModules(
  modules: readonly string[],
  cloud: SkygearCloud,
  setOwner: (name: string) => void,
  log: Logger,
  baseDir: string = process.cwd(),
): Promise<void> {
  for (const name of modules) {
    setOwner(name);
    const file = resolveModule(name, baseDir);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { includeme?: unknown; default?: { includeme?: unknown } };
    const includeme = mod.includeme ?? mod.default?.includeme;
    if (includeme === undefined) {
      log.warn({ module: name }, `The ${name} module does not export the includeme function. This function is required to config the module.`);
    } else {
      if (typeof includeme !== 'function') throw new PluginRegistrationError(`module ${name}: includeme is not a function`);
      await includeme(cloud, {});
    }
    adoptCoreRegistrations(cloud, log);
    log.info({ module: name }, 'cloud code module loaded');
  }
}

function resolveModule(name: string, baseDir: string): string {
  const target = name.startsWith('.') ? path.resolve(baseDir, name) : name;
  try {
    return require.resolve(target, { paths: [baseDir] });
  } catch (err) {
    throw new PluginRegistrationError(`cannot find cloud code module "${name}" (LOAD_MODULES): ${(err as Error).message}`);
  }
}
