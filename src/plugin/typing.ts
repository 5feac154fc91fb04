import { optionalDate, oneOf, readArgs, requiredId } from './args';
import type { CloudCallOptions } from './cloud-api';
import { notFound, permissionDenied } from './errors';
import { loadConversation } from './membership';
import { conversationJSON } from './records';
import { type ChatRuntime, callerOf } from './runtime';
import { runLambda } from './work';

/**
 * chat:typing — `{"event":"typing","data":{"conversation/<cid>":{"user/<uid>":{"event","at"}}}}` to
 * every participant, the typer included. Only participants may send it (fixes A5). `at` may be a Date,
 * a `$date` (what JS-1.7 sends; 1.7 crashed on it, B6) or any ISO 8601 string; absent = now.
 * Nothing is written, so the "transaction" only reads the members and their channels.
 */
const EVENTS = ['begin', 'pause', 'finished'] as const;
type TypingEvent = (typeof EVENTS)[number];

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
 * Memory: entries older than the window are swept at most once per window.
 */
class TypingThrottle {
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

/** One throttle per loaded plugin (several servers may share a process in tests). */
const throttles = new WeakMap<ChatRuntime, TypingThrottle>();
const throttleOf = (rt: ChatRuntime): TypingThrottle => {
  let throttle = throttles.get(rt);
  if (!throttle) throttles.set(rt, (throttle = new TypingThrottle()));
  return throttle;
};

export async function typing(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const userId = callerOf(options);
  const args = readArgs(param, ['conversation_id', 'event', 'at']);
  if (args.event === undefined && args.evt !== undefined) args.event = args.evt; // 1.7 keyword
  const cid = requiredId(args, 'conversation_id', 'conversation');
  const event = oneOf(args, 'event', EVENTS);
  const at = (optionalDate(args, 'at') ?? new Date()).toISOString();
  await runLambda(rt, async (q, outbox) => {
    const conversation = await loadConversation(q, cid, false);
    if (!conversation || conversation.deleted) throw notFound(`conversation "${cid}" not found`);
    if (!conversation.participant_ids.includes(userId)) throw permissionDenied('user is not a participant of the conversation, permission denied');
    // Checked after membership, so a non-member still gets 102; a dropped event still answers OK.
    if (!throttleOf(rt).admit(userId, cid, event)) return;
    outbox.publish(conversation.participant_ids, {
      event: 'typing',
      data: { [`conversation/${cid}`]: { [`user/${userId}`]: { event, at } } },
    });
    const participantIds = [...conversation.participant_ids];
    outbox.hook({ hook: 'typing_started', conversation: conversationJSON(conversation), participantIds, actorId: userId, event, at });
  });
  return { status: 'OK' };
}
