import type { BeforeSaveWork, AfterSaveWork, ChatRuntime, ChatServices, SaveVisible } from './chat-runtime';
import { runLambda } from './lambda';
import { withTransaction } from '../sql';

/**
 * Running on a connection of the plugin's own (skygear-node): the server calls a save hook inside its
 * transaction, which this connection cannot join or see into.
 */
export function ownConnectionRuntime(services: ChatServices): ChatRuntime {
  return {
    ...services,
    lambda: (work) => runLambda(services, work),
    beforeSave: (_options, work) => beforeSaveOnOwnConnection(services, work),
    afterSave: (_options, visible, work) => afterSaveOnOwnConnection(services, visible, work),
  };
}

/**
 * A short transaction of its own that must take NO row locks: the server may already hold them
 * inside the save it is waiting on us for, a wait PostgreSQL cannot see as a deadlock.
 */
export function beforeSaveOnOwnConnection<T>(services: ChatServices, work: BeforeSaveWork<T>): Promise<T> {
  return withTransaction(services.pool, (client) => work(client, null));
}

const DEFERRED_POLL_MS = 50;
const DEFERRED_TIMEOUT_MS = 60_000;

/**
 * The saved row is invisible here until the server commits. Our server runs an out-of-process
 * after-save once the save has committed, and awaits it: then the data is visible now and the work
 * finishes before the client's response. A server that calls it inside its transaction (Go, atomic
 * saves) makes us wait for the commit in the background; false until the timeout means the save was
 * rolled back, and the work is dropped. The work is written to be idempotent (exact recounts, "make
 * rows match lists"), so running it late is still exact.
 */
export async function afterSaveOnOwnConnection(services: ChatServices, visible: SaveVisible, work: AfterSaveWork): Promise<void> {
  const asLambda = (): Promise<void> => runLambda(services, (q, outbox) => work(q, outbox, null));
  if (await visible(services.pool).catch(() => false)) {
    try {
      await asLambda();
    } catch (err) {
      services.log.error({ err }, 'chat: after-save work failed');
    }
    return;
  }
  void runDeferred(services, visible, asLambda);
}

async function runDeferred(services: ChatServices, visible: SaveVisible, run: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + DEFERRED_TIMEOUT_MS;
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, DEFERRED_POLL_MS));
      if (await visible(services.pool)) break;
      if (Date.now() > deadline) {
        services.log.warn({}, 'chat: a saved record never became visible (rolled back?); its side effects were dropped');
        return;
      }
    }
    await run();
  } catch (err) {
    services.log.error({ err }, 'chat: deferred after-save work failed');
  }
}
