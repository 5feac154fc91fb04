import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tx } from './driver';

/**
 * The transaction the current async call chain runs in, if any.
 *
 * Hooks and in-process plugins never receive the host's Tx object directly through the skygear/cloud
 * API, so code such as publishEventsToChannels finds it here to defer work until commit.
 */
const storage = new AsyncLocalStorage<Tx>();

export function currentTx(): Tx | undefined {
  return storage.getStore();
}

export function runInTx<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  return storage.run(tx, fn);
}

/** Runs fn after the current transaction commits, or now when there is none. */
export function afterCurrentCommit(fn: () => void | Promise<void>): void {
  const tx = currentTx();
  if (tx) tx.afterCommit(fn);
  else void Promise.resolve().then(fn).catch(() => undefined);
}
