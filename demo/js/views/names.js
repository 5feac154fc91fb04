/** Display names derived from state (shared by the list, the chat header and the panels). */
import { displayFileName } from '../model.js';
import { state, userName } from '../state.js';

/** The title, else the other participants' names ("bob, carol"). */
export function conversationName(conversation) {
  if (!conversation) return '';
  if (conversation.title) return conversation.title;
  const others = conversation.participantIds.filter((id) => id !== state.me?.id);
  if (others.length === 0) return 'Just you';
  return others.map(userName).join(', ');
}

/** Whom the avatar should show: the single other person in a direct chat, else the group itself. */
export function conversationAvatarKey(conversation) {
  const others = conversation.participantIds.filter((id) => id !== state.me?.id);
  return !conversation.title && others.length === 1 ? others[0] : conversation.id;
}

/**
 * A direct conversation: one other person, created as distinct and without a name. Anything else is a
 * group, also one that has dropped to two members, whose messages must still say who wrote them.
 */
export function isDirect(conversation) {
  return Boolean(conversation?.distinct && !conversation.title && conversation.participantIds.length <= 2);
}

/** Long bodies are cut: laying out megabytes of text in a one-line preview is slow and pointless. */
const PREVIEW_CHARS = 160;

export function messagePreview(message) {
  if (!message) return 'No messages yet';
  const who = message.createdBy === state.me?.id ? 'You: ' : '';
  if (message.deleted) return `${who}Message deleted`;
  if (message.body) return who + message.body.slice(0, PREVIEW_CHARS).replace(/\s+/g, ' ');
  if (message.attachment) return `${who}${message.attachment.isImage ? 'Photo' : 'File'}: ${displayFileName(message.attachment.name)}`;
  return `${who}(empty message)`;
}

/** "alice is typing…", "alice and bob are typing…" */
export function typingText(userIds) {
  if (userIds.length === 0) return '';
  const names = userIds.map(userName);
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

export function isAdmin(conversation, userId = state.me?.id) {
  return Boolean(conversation && userId && conversation.adminIds.includes(userId));
}
