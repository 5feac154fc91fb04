import type { Tx } from '../db/driver';
import { isStalePlan } from '../db/prepared';
import { currentTx } from '../db/tx-scope';
import { isRetryableConflict, isUndefinedObject } from './pg-errors';
import type { StoreContext } from './store-context';

const MAX_CONFLICT_ATTEMPTS = 4;

/**
 * Runs fn in one transaction. When `repeatable` (no hook with side effects is involved) a deadlock
 * or serialization failure reruns the whole transaction a few times, and an "undefined column/table"
 * or a stale prepared statement (another node changed the schema under our cached catalog, or under
 * a statement the driver prepared; db/prepared.ts) reruns it once with a fresh catalog.
 * Inside an outer transaction nothing is retried: the outer one is already aborted.
 */
export async function runTransaction<T>(ctx: StoreContext, repeatable: boolean, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const canRetry = repeatable && currentTx() === undefined;
  let refreshedCatalog = false;
  for (let attempt = 1; ; attempt++) {
    const generation = ctx.catalog.generation;
    try {
      return await ctx.db.transaction(fn);
    } catch (err) {
      if (canRetry && isRetryableConflict(err) && attempt < MAX_CONFLICT_ATTEMPTS) continue;
      if (canRetry && (isUndefinedObject(err) || isStalePlan(err)) && !refreshedCatalog) {
        refreshedCatalog = true;
        ctx.catalog.invalidate();
        continue;
      }
      throw err;
    } finally {
      // DDL inside the transaction (hook-introduced fields) may have been cached from uncommitted
      // catalog state; drop it whichever way the transaction ended.
      if (ctx.catalog.generation !== generation) ctx.catalog.invalidate();
    }
  }
}

/** For reads: rerun once with a fresh catalog when it turned out stale. */
export async function withFreshCatalogOnce<T>(ctx: StoreContext, fn: () => Promise<T>, isStale: (err: unknown) => boolean): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isStale(err)) throw err;
    ctx.catalog.invalidate();
    return fn();
  }
}
