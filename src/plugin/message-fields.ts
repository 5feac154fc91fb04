import { isPlainObject } from './args';
import { type ChatBounds, checkBody, checkMetadata } from './bounds';
import { invalidArgument } from './errors';
import { type RecordJSON, refId, refJSON } from './records';

/**
 * The fields of a message record as clients send them. Two generations write messages (chat-api.md
 * §6): seed-era clients send `conversation_id`, the 1.x SDK sends `conversation`. Either is accepted;
 * both given and different is 108. Whatever was sent, the saved record carries both names, and
 * `conversation_status` / `message_status` with one value.
 */
export function conversationOfMessage(json: RecordJSON): string {
  const seed = refId(json.conversation_id, 'conversation');
  const sdk = refId(json.conversation, 'conversation');
  if (seed === undefined) throw invalidArgument('message.conversation_id must be a reference to a conversation', ['conversation_id']);
  if (sdk === undefined) throw invalidArgument('message.conversation must be a reference to a conversation', ['conversation']);
  if (seed && sdk && seed !== sdk) {
    throw invalidArgument('message.conversation and message.conversation_id name different conversations', ['conversation', 'conversation_id']);
  }
  const id = seed ?? sdk;
  if (!id) throw invalidArgument('message.conversation_id (or conversation) must be a reference to a conversation', ['conversation_id', 'conversation']);
  return id;
}

/** Body, metadata and attachment: their shapes and the bounds. */
export function checkContent(json: RecordJSON, bounds: ChatBounds): void {
  if (json.body !== undefined && json.body !== null && typeof json.body !== 'string') throw invalidArgument('message.body must be a string', ['body']);
  checkBody(json.body, bounds);
  if (json.metadata !== undefined && json.metadata !== null && !isPlainObject(json.metadata)) {
    throw invalidArgument('message.metadata must be a JSON object', ['metadata']);
  }
  checkMetadata(json.metadata, bounds);
  const attachment = attachmentName(json);
  if (attachment === undefined) throw invalidArgument('message.attachment must be an asset', ['attachment']);
}

/** The attachment's asset name; null when there is none; undefined when it is not an asset. */
export function attachmentName(json: RecordJSON): string | null | undefined {
  const attachment = json.attachment as { $name?: unknown } | null | undefined;
  if (attachment === undefined || attachment === null) return null;
  return typeof attachment.$name === 'string' && attachment.$name !== '' ? attachment.$name : undefined;
}

/** Both names of the conversation reference and of the status, for a record a hook returns. */
export function bothGenerations(conversationId: string, status: unknown): Record<string, unknown> {
  const ref = refJSON('conversation', conversationId);
  return { conversation_id: ref, conversation: { ...ref }, conversation_status: status, message_status: status };
}
