import type { RecordJSON } from './records';

/**
 * Chat extension points (chat-api.md §5): in-process listeners the app registers through the
 * package's exports, called AFTER the operation committed and its realtime events went out.
 *
 * They are deliberately not lambdas: 1.7 registered its hook ops as public `chat:*_hook` lambdas any
 * logged-in client could call with forged payloads (§7 A3). A listener's failure is logged and never
 * affects the operation or the other listeners. Each registrar returns a function that removes the
 * listener again.
 */
export interface MessageSentEvent {
  message: RecordJSON;
  conversation: RecordJSON;
  participantIds: string[];
  senderId: string;
}

export interface ConversationEvent {
  conversation: RecordJSON;
  participantIds: string[];
  actorId: string;
}

export interface UsersAddedEvent extends ConversationEvent {
  addedIds: string[];
}

export interface UsersRemovedEvent extends ConversationEvent {
  /** Users no longer in the conversation (removed, or who left). */
  removedIds: string[];
}

export interface TypingEvent {
  conversation: RecordJSON;
  participantIds: string[];
  userId: string;
  event: 'begin' | 'pause' | 'finished';
  at: string;
}

type Listener<E> = (event: E) => unknown;

function listenerSet<E>() {
  const listeners = new Set<Listener<E>>();
  return {
    add(fn: Listener<E>): () => void {
      if (typeof fn !== 'function') throw new TypeError('a chat hook listener must be a function');
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    async emit(event: E): Promise<void> {
      const errors: unknown[] = [];
      for (const fn of [...listeners]) {
        try {
          await fn(event);
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, 'chat hook listener failed');
    },
  };
}

const messageSent = listenerSet<MessageSentEvent>();
const conversationCreated = listenerSet<ConversationEvent>();
const conversationUpdated = listenerSet<ConversationEvent>();
const conversationDeleted = listenerSet<ConversationEvent>();
const usersAdded = listenerSet<UsersAddedEvent>();
const usersRemoved = listenerSet<UsersRemovedEvent>();
const typing = listenerSet<TypingEvent>();

export const afterMessageSent = (fn: Listener<MessageSentEvent>) => messageSent.add(fn);
export const afterConversationCreated = (fn: Listener<ConversationEvent>) => conversationCreated.add(fn);
export const afterConversationUpdated = (fn: Listener<ConversationEvent>) => conversationUpdated.add(fn);
export const afterConversationDeleted = (fn: Listener<ConversationEvent>) => conversationDeleted.add(fn);
export const afterUsersAdded = (fn: Listener<UsersAddedEvent>) => usersAdded.add(fn);
export const afterUsersRemoved = (fn: Listener<UsersRemovedEvent>) => usersRemoved.add(fn);
export const typingStarted = (fn: Listener<TypingEvent>) => typing.add(fn);

/** 1.7's names for the same hooks. */
export const afterUsersAddedToConversation = afterUsersAdded;
export const afterUsersRemovedFromConversation = afterUsersRemoved;

export const notifyMessageSent = (e: MessageSentEvent) => messageSent.emit(e);
export const notifyConversationCreated = (e: ConversationEvent) => conversationCreated.emit(e);
export const notifyConversationUpdated = (e: ConversationEvent) => conversationUpdated.emit(e);
export const notifyConversationDeleted = (e: ConversationEvent) => conversationDeleted.emit(e);
export const notifyUsersAdded = (e: UsersAddedEvent) => usersAdded.emit(e);
export const notifyUsersRemoved = (e: UsersRemovedEvent) => usersRemoved.emit(e);
export const notifyTyping = (e: TypingEvent) => typing.emit(e);
