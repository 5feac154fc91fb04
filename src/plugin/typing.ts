import { optionalDate, oneOf, readArgs, requiredId } from './args';
import type { CloudCallOptions } from './cloud-api';
import { notFound, permissionDenied } from './errors';
import { loadConversation } from './membership';
import { conversationJSON } from './records';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf } from './caller';

export { TYPING_MAX_PER_WINDOW, TYPING_REPEAT_WINDOW_MS } from './typing-throttle';

/**
 * chat:typing — `{"event":"typing","data":{"conversation/<cid>":{"user/<uid>":{"event","at"}}}}` to
 * every participant, the typer included. Only participants may send it (fixes A5). `at` may be a Date,
 * a `$date` (what JS-1.7 sends; 1.7 crashed on it, B6) or any ISO 8601 string; absent = now.
 * Nothing is written, so the "transaction" only reads the members and their channels.
 */
const EVENTS = ['begin', 'pause', 'finished'] as const;

export async function typing(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const userId = callerOf(options);
  const args = readArgs(param, ['conversation_id', 'event', 'at']);
  if (args.event === undefined && args.evt !== undefined) args.event = args.evt; // 1.7 keyword
  const cid = requiredId(args, 'conversation_id', 'conversation');
  const event = oneOf(args, 'event', EVENTS);
  const at = (optionalDate(args, 'at') ?? new Date()).toISOString();
  await rt.lambda(async (q, outbox) => {
    const conversation = await loadConversation(q, cid, false);
    if (!conversation || conversation.deleted) throw notFound(`conversation "${cid}" not found`);
    if (!conversation.participant_ids.includes(userId)) throw permissionDenied('user is not a participant of the conversation, permission denied');
    // Checked after membership, so a non-member still gets 102; a dropped event still answers OK.
    if (!rt.typingThrottle.admit(userId, cid, event)) return;
    outbox.publish(conversation.participant_ids, {
      event: 'typing',
      data: { [`conversation/${cid}`]: { [`user/${userId}`]: { event, at } } },
    });
    const participantIds = [...conversation.participant_ids];
    outbox.hook({ hook: 'typing_started', conversation: conversationJSON(conversation), participantIds, actorId: userId, event, at });
  });
  return { status: 'OK' };
}
