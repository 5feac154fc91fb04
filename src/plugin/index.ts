/**
 * The Skygear chat plugin. Load it as a cloud-code module (LOAD_MODULES) in our server or in
 * skygear-node; the runtime calls `includeme(skygearCloud, settings)`.
 */
export { includeme } from './includeme';
export {
  afterConversationCreated,
  afterConversationDeleted,
  afterConversationUpdated,
  afterMessageDeleted,
  afterMessageSent,
  afterMessageUpdated,
  afterUsersAdded,
  afterUsersAddedToConversation,
  afterUsersRemoved,
  afterUsersRemovedFromConversation,
  typingStarted,
} from './chat-hooks';
export type { ChatHookEvent, ConversationEvent, MessageChangedEvent, MessageSentEvent, TypingEvent, UsersAddedEvent, UsersRemovedEvent } from './chat-hooks';
export type { ChatBounds } from './bounds';
export { Conversation, Message, chatPool, totalUnread } from './public-api';
export type { TotalUnread } from './unread';
export type { ChatSettings, CloudApi } from './cloud-api';
export type { SqlPool, SqlClient, SqlResult } from './sql';
export { userConversationId, receiptId, participantRole, adminRole } from './ids';
