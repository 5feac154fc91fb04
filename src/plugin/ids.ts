import { createHash } from 'node:crypto';

/**
 * Deterministic record ids (chat-plugin-features.md §0.4): SHA-256 of the UTF-8 concatenation of two
 * bare ids, first 16 bytes formatted as a UUID, version/variant bits NOT adjusted. Seed clients compute
 * the same ids, so a (conversation, user) pair can only ever have one row.
 */
export function deterministicId(a: string, b: string): string {
  const hex = createHash('sha256').update(a + b, 'utf8').digest('hex').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const userConversationId = (conversationId: string, userId: string): string => deterministicId(conversationId, userId);

export const receiptId = (messageId: string, userId: string): string => deterministicId(messageId, userId);

export const participantRole = (conversationId: string): string => `conversation-participant-${conversationId}`;

export const adminRole = (conversationId: string): string => `conversation-admin-${conversationId}`;

/**
 * The guard value of a distinct conversation: one per exact participant set. A partial UNIQUE index on
 * it makes "at most one distinct conversation per set" hold under any concurrency.
 */
export function distinctKey(participantIds: readonly string[]): string {
  const sorted = [...new Set(participantIds)].sort();
  return createHash('sha256').update(JSON.stringify(sorted), 'utf8').digest('hex');
}

/** "conversation/abc" → "abc" when the prefix matches; a bare id is returned as is. */
export function stripType(id: string, type: string): string {
  return id.startsWith(`${type}/`) ? id.slice(type.length + 1) : id;
}
