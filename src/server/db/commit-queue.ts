import type { Queryable, Tx } from './driver';

/** A Tx backed by some Queryable, collecting afterCommit callbacks until the owner flushes them. */
export class CommitQueue {
  private readonly callbacks: Array<() => void | Promise<void>> = [];

  constructor(private readonly onCallbackError: (err: unknown) => void) {}

  bind(q: Queryable): Tx {
    return {
      query: (text, params) => q.query(text, params),
      afterCommit: (fn) => {
        this.callbacks.push(fn);
      },
    };
  }

  /** Runs the callbacks in registration order; each one's failure is reported and does not stop the rest. */
  async flush(): Promise<void> {
    for (const fn of this.callbacks.splice(0)) {
      try {
        await fn();
      } catch (err) {
        this.onCallbackError(err);
      }
    }
  }
}
