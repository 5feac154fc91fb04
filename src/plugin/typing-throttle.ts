/** The chat:typing states (chat-api.md §4). */
export type TypingEvent = 'begin' | 'pause' | 'finished';

/** A repeat of the same state within this window is dropped. */
export const TYPING_REPEAT_WINDOW_MS = 1000;
/** Forwards per (user, conversation) per window, whatever the states: alternating cannot flood. */
export const TYPING_MAX_PER_WINDOW = 5;

interface TypingState {
  event: TypingEvent;
  /** When this state was last forwarded. */
  at: number;
  /** Forwards in the current window, and when that window started. */
  count: number;
  windowStart: number;
}

/**
 * Per-process throttle of typing fan-out (docs/chat-semantics.md): a state change is forwarded at
 * once, a repeat of the same state within TYPING_REPEAT_WINDOW_MS is dropped, and no (user,
 * conversation) gets more than TYPING_MAX_PER_WINDOW forwards per window. Without it one client
 * calling chat:typing in a loop makes a large conversation's fan-out the server's whole work.
 * Memory: entries older than the window are swept at most once per window. One per loaded plugin
 * (the runtime's `typingThrottle`): several servers may share a process in tests.
 */
export class TypingThrottle {
  private readonly states = new Map<string, TypingState>();
  private lastSweep = 0;

  /** Whether to forward this event now (and, if so, records it). */
  admit(userId: string, cid: string, event: TypingEvent, now = Date.now()): boolean {
    this.sweep(now);
    const key = `${userId}\u0000${cid}`;
    const state = this.states.get(key);
    if (!state || now - state.windowStart >= TYPING_REPEAT_WINDOW_MS) {
      this.states.set(key, { event, at: now, count: 1, windowStart: now });
      return true;
    }
    if (state.event === event && now - state.at < TYPING_REPEAT_WINDOW_MS) return false;
    if (state.count >= TYPING_MAX_PER_WINDOW) return false;
    state.event = event;
    state.at = now;
    state.count++;
    return true;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < TYPING_REPEAT_WINDOW_MS) return;
    this.lastSweep = now;
    for (const [key, state] of this.states) if (now - state.at >= TYPING_REPEAT_WINDOW_MS) this.states.delete(key);
  }
}
