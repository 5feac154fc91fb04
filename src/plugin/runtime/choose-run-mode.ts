import type { ChatSettings, CloudApi } from '../cloud-api';
import type { SqlPool } from '../sql';
import type { ChatRuntime, ChatServices } from './chat-runtime';
import { inHostRuntime } from './in-host';
import { createOwnPgPool } from './own-pg-pool';
import { ownConnectionRuntime } from './own-connection';

export interface RunModeChoice {
  pool: SqlPool;
  /** The runtime for this mode, over the services built on `pool`. */
  runtime(services: ChatServices): ChatRuntime;
}

/** Our host's in-process pool says so (`pool.inProcess === true`, read-only); no other pool does. */
const isHostPool = (pool: unknown): boolean => (pool as { inProcess?: unknown } | undefined)?.inProcess === true;

/**
 * Which pool the plugin uses, and so how it runs. The one place that asks where the plugin runs:
 * 1. `settings.pool` when the caller of includeme passes one (in the host when it is the host's pool);
 * 2. the host's pool when it is our in-process adapter: the plugin runs in the host;
 * 3. otherwise (skygear-node) a node-postgres v8 Pool of its own on `settings.databaseURL` with the
 *    app schema on the search_path. skygear-node's own `pool` is pg@7, which hangs on Node 20, has no
 *    search_path, and could not share the server's transaction anyway.
 */
export function chooseRunMode(cloud: CloudApi, settings: ChatSettings | undefined): RunModeChoice {
  const given = (settings?.pool ?? (isHostPool(cloud.pool) ? cloud.pool : undefined)) as SqlPool | undefined;
  if (given) return { pool: given, runtime: isHostPool(given) ? inHostRuntime : ownConnectionRuntime };
  const databaseURL = cloud.settings?.databaseURL;
  if (!databaseURL) throw new Error('chat plugin: no database (skygearCloud.settings.databaseURL is empty)');
  const poolMax = cloud.settings?.pgPoolMax ?? 10; // skygear-node reads PG_POOL_MAX into its settings
  return { pool: createOwnPgPool(databaseURL, cloud.settings?.appName ?? '', poolMax), runtime: ownConnectionRuntime };
}
