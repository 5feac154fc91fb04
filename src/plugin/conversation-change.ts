import { storedConversationJSON } from './conversation-view';
import { type ConversationRow, loadConversation, syncMembership } from './membership';
import type { Outbox } from './realtime';
import type { ChatRuntime } from './runtime/chat-runtime';
import { type Queryable } from './sql';
import { publishMessageUpdates, recomputeStatusOfConversation } from './status';

/**
 * After a conversation row changed (lambda or record save), with the conversation locked: bring
 * membership rows and roles in line with its lists, recompute message statuses when members left
 * (their audience shrank, fixes B7), and queue the events:
 * new members `create`, remaining members `update`, removed members `delete` (chat-api.md §4).
 */
export interface ConversationChange {
  /** null when the conversation was just created. */
  before: Pick<ConversationRow, 'title' | 'metadata' | 'admin_ids' | 'distinct_by_participants'> | null;
  actorId: string;
  deleted?: boolean;
}

export async function applyConversationChange(
  rt: ChatRuntime,
  q: Queryable,
  outbox: Outbox,
  conversationId: string,
  change: ConversationChange,
): Promise<ConversationRow | null> {
  const conversation = await loadConversation(q, conversationId, true);
  if (!conversation) return null;
  const membership = await syncMembership(q, conversation, change.actorId);
  if (membership.removed.length > 0) {
    const changed = await recomputeStatusOfConversation(q, conversationId);
    await publishMessageUpdates(rt, q, outbox, changed);
  }
  const json = await storedConversationJSON(q, conversationId);
  if (!json) return conversation;
  const { added, removed, participants } = membership;
  const stayed = participants.filter((p) => !added.includes(p));
  const { before, actorId } = change;
  const fieldsChanged =
    before !== null &&
    (before.title !== conversation.title ||
      JSON.stringify(before.metadata ?? null) !== JSON.stringify(conversation.metadata ?? null) ||
      JSON.stringify([...before.admin_ids].sort()) !== JSON.stringify([...conversation.admin_ids].sort()) ||
      Boolean(before.distinct_by_participants) !== Boolean(conversation.distinct_by_participants));

  outbox.publishRecord(added, 'create', 'conversation', json);
  if (before !== null && (fieldsChanged || added.length > 0 || removed.length > 0)) outbox.publishRecord(stayed, 'update', 'conversation', json);
  outbox.publishRecord(removed, 'delete', 'conversation', json);

  const base = { conversation: json, participantIds: participants, actorId };
  if (before === null) outbox.hook({ ...base, hook: 'after_conversation_created' });
  if (before !== null && added.length > 0) outbox.hook({ ...base, hook: 'after_users_added_to_conversation', addedIds: added });
  if (removed.length > 0) outbox.hook({ ...base, hook: 'after_users_removed_from_conversation', removedIds: removed });
  if (fieldsChanged && !change.deleted) outbox.hook({ ...base, hook: 'after_conversation_updated' });
  // A deleted conversation has no participants left: the hook names those it had.
  if (change.deleted) outbox.hook({ ...base, participantIds: removed, hook: 'after_conversation_deleted' });
  return conversation;
}
