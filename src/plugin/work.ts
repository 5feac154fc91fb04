import { Outbox } from './realtime';
import type { ChatRuntime } from './runtime';
import { type Queryable, withTransaction } from './sql';

/**
 * The two ways plugin work runs.
 *
 * Lambdas: one transaction of their own; realtime events and chat hooks after COMMIT.
 *
 * Record-save hooks: the work belongs to the host's save.
 * - In process (our server) the pool joins the save's transaction, so the work commits or rolls back
 *   with the record; events go through publishEventsToChannels, which the host holds until COMMIT;
 *   chat hooks run through the host's optional `afterCommit` (else right away, documented).
 * - Under skygear-node the plugin's connection cannot see the row the server has not committed yet
 *   (the server waits for the hook inside its transaction). After-save work is therefore deferred:
 *   it polls until the saved data is visible, then runs in its own transaction. The work is written
 *   to be idempotent (exact recounts, "make rows match lists"), so running it late is still exact.
 */
export type Work<T> = (q: Queryable, outbox: Outbox) => Promise<T>;

export async function runLambda<T>(rt: ChatRuntime, work: Work<T>): Promise<T> {
  const { result, dispatch } = await withTransaction(rt.pool, async (client) => {
    const outbox = new Outbox();
    const value = await work(client, outbox);
    return { result: value, dispatch: await outbox.resolve(client) };
  });
  await dispatch.send(rt);
  return result;
}

/**
 * Before-save work: validation, and in process the locks. Out of process it runs on a short
 * transaction of its own and must take NO row locks: the server may already hold them inside the
 * save it is waiting on us for, a wait PostgreSQL cannot see as a deadlock.
 */
export async function runBeforeSave<T>(rt: ChatRuntime, work: (q: Queryable) => Promise<T>): Promise<T> {
  return rt.inProcess ? inSaveTransaction(rt, work) : withTransaction(rt.pool, (client) => work(client));
}

/**
 * In process, hook work runs directly in the host's save transaction: no SAVEPOINT/RELEASE pair
 * around it (two round trips per hook). That is safe because a hook that throws fails the save and
 * the host rolls the whole transaction back — nothing relies on undoing only the hook's part. What is
 * given up is withTransaction's in-hook retry after a deadlock: the save fails instead (the
 * conversation-first lock order keeps that rare). Falls back to withTransaction when the client is
 * not in a host transaction (a hook called outside a save).
 */
async function inSaveTransaction<T>(rt: ChatRuntime, work: (q: Queryable) => Promise<T>): Promise<T> {
  const client = await rt.pool.connect();
  if (client.inHostTransaction !== true) {
    client.release();
    return withTransaction(rt.pool, work);
  }
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

const DEFERRED_POLL_MS = 50;
const DEFERRED_TIMEOUT_MS = 60_000;

/**
 * After-save work. `visible(q)` tells, under skygear-node, whether the host has committed the save;
 * false until the timeout means the save was rolled back, and the work is dropped.
 */
export async function runAfterSave(rt: ChatRuntime, visible: (q: Queryable) => Promise<boolean>, work: Work<void>): Promise<void> {
  if (rt.inProcess) {
    const dispatch = await inSaveTransaction(rt, async (client) => {
      const outbox = new Outbox();
      await work(client, outbox);
      return outbox.resolve(client);
    });
    await dispatch.publish(rt); // held by the host until COMMIT
    if (typeof rt.cloud.afterCommit === 'function') rt.cloud.afterCommit(() => dispatch.notify(rt));
    else await dispatch.notify(rt);
    return;
  }
  // Our server runs an out-of-process after-save once the save has committed, and awaits it: then
  // the data is visible now and the work finishes before the client's response. A server that calls
  // it inside its transaction (Go, atomic saves) makes us wait for the commit in the background.
  if (await visible(rt.pool).catch(() => false)) {
    try {
      await runLambda(rt, work);
    } catch (err) {
      rt.log.error({ err }, 'chat: after-save work failed');
    }
    return;
  }
  void runDeferred(rt, visible, work);
}

async function runDeferred(rt: ChatRuntime, visible: (q: Queryable) => Promise<boolean>, work: Work<void>): Promise<void> {
  const deadline = Date.now() + DEFERRED_TIMEOUT_MS;
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, DEFERRED_POLL_MS));
      if (await visible(rt.pool)) break;
      if (Date.now() > deadline) {
        rt.log.warn({}, 'chat: a saved record never became visible (rolled back?); its side effects were dropped');
        return;
      }
    }
    await runLambda(rt, work);
  } catch (err) {
    rt.log.error({ err }, 'chat: deferred after-save work failed');
  }
}
