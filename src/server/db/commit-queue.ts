import type { Queryable, Tx } from './driver';

/**
 * A Tx backed by some Queryable, collecting afterEnd and afterCommit callbacks: the owner calls
 * `end()` once COMMIT or ROLLBACK has returned, then `flush()` after a commit.
 */
export class CommitQueue {
  private readonly callbacks: Array<() => void | Promise<void>> = [];
  private readonly endCallbacks: Array<() => void> = [];

  constructor(private readonly onCallbackError: (err: unknown) => void) {}

  bind(q: Queryable): Tx {
    return {
      query: (text, params) => q.query(text, params),
      afterCommit: (fn) => {
        this.callbacks.push(fn);
      },
      afterEnd: (fn) => {
        this.endCallbacks.push(fn);
      },
    };
  }

  /** Runs the afterEnd callbacks (commit or rollback), each once. */
  end(): void {
    for (const fn of this.endCallbacks.splice(0)) {
      try {
        fn();
      } catch (err) {
        this.onCallbackError(err);
      }
    }
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
