/**
 * Per-conversation send turns, in process only.
 *
 * Every send locks its conversation row until COMMIT (message.ts), so sends into one conversation
 * run one after another whatever we do. When many wait for that row lock inside PostgreSQL, each
 * COMMIT wakes the waiting backends to fight over the next turn, and the holder's own statements
 * compete with them for CPU: on the 2-core bench machine 16 concurrent senders into one conversation
 * got less than half the throughput of a single sender. So a node lets only one of its own sends per
 * conversation wait for (or hold) the row lock; the others queue here, in FIFO order, at no cost.
 * PostgreSQL still does the real serialisation (other nodes, lambdas, skygear-node).
 *
 * A turn is released when the save's transaction ends, committed or rolled back (the host's
 * `afterTransaction`). Waiting is bounded: an atomic save of messages into several conversations
 * could otherwise wait here in a cycle PostgreSQL cannot see; after `TURN_WAIT_MS` the send goes on
 * without its turn and PostgreSQL's lock and deadlock detection decide, as without this queue.
 */
const TURN_WAIT_MS = 2_000;

interface Waiter {
  grant(): void;
}

export class ConversationTurns {
  /** conversation id → waiters behind the current holder (the key exists while someone holds it). */
  private readonly queues = new Map<string, Waiter[]>();

  constructor(private readonly waitMs = TURN_WAIT_MS) {}

  /** Resolves with the function that releases the turn (idempotent); never rejects. */
  async take(conversationId: string): Promise<() => void> {
    const queue = this.queues.get(conversationId);
    if (!queue) {
      this.queues.set(conversationId, []);
      return this.releaser(conversationId);
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser(conversationId));
        },
      };
      const timer = setTimeout(() => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        resolve(() => undefined); // proceed without a turn
      }, this.waitMs);
      queue.push(waiter);
    });
  }

  /** Whether a send into the conversation holds its turn now (so `take` would wait). */
  isTaken(conversationId: string): boolean {
    return this.queues.has(conversationId);
  }

  /** How many conversations have a holder (for tests). */
  get active(): number {
    return this.queues.size;
  }

  private releaser(conversationId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = this.queues.get(conversationId);
      const next = queue?.shift();
      if (next) next.grant();
      else this.queues.delete(conversationId);
    };
  }
}
