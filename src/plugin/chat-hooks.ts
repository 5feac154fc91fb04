import type { RecordJSON } from './records';

/**
 * Chat extension points (chat-api.md §5, §6): what happened, told after the operation committed and
 * its realtime events went out, two ways:
 *
 * 1. in-process listeners the app registers through this package's exports (`afterMessageSent(fn)`
 *    …), each returning a function that removes it;
 * 2. the 1.7 cloud-function hooks: lambdas named `chat:<hook>_hook` that any loaded cloud module may
 *    register (e.g. through `require('skygear-chat/cloud')`), called with the 1.7 `args` shapes
 *    (hook-lambdas.ts). The host refuses those names to clients, which closes 1.7's hole A3.
 *
 * A listener's failure is logged and never affects the operation or the other listeners.
 */
export type MessageHookName = 'after_message_sent' | 'after_message_updated' | 'after_message_deleted';
export type ConversationHookName = 'after_conversation_created' | 'after_conversation_updated' | 'after_conversation_deleted';

interface Base {
  conversation: RecordJSON;
  /** The conversation's participants the hook is about (after the change; before it for a delete). */
  participantIds: string[];
  /** Who did it (the sender, the editor, the admin…); the hook lambdas run as this user. */
  actorId: string;
}

/** One thing that happened, as the plugin reports it to both kinds of hooks. */
export type ChatHookEvent =
  | (Base & { hook: MessageHookName; message: RecordJSON })
  | (Base & { hook: ConversationHookName })
  | (Base & { hook: 'after_users_added_to_conversation'; addedIds: string[] })
  | (Base & { hook: 'after_users_removed_from_conversation'; removedIds: string[] })
  | (Base & { hook: 'typing_started'; event: 'begin' | 'pause' | 'finished'; at: string });

/** What in-process listeners get (the shapes of the package's first release, kept). */
export interface MessageSentEvent {
  message: RecordJSON;
  conversation: RecordJSON;
  participantIds: string[];
  senderId: string;
}

/** An edit or a delete; `actorId` is the editor (the author or the master key's user) or the deleter. */
export interface MessageChangedEvent {
  message: RecordJSON;
  conversation: RecordJSON;
  participantIds: string[];
  actorId: string;
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

/**
 * The in-process listeners of one process. The runtime reaches them as `rt.listeners`; the package's
 * exports below add to the one process-wide instance, because app code registers listeners through
 * those exports (often at load time, before includeme has run) and has no runtime to address.
 */
export class ChatListeners {
  readonly messageSent = listenerSet<MessageSentEvent>();
  readonly messageUpdated = listenerSet<MessageChangedEvent>();
  readonly messageDeleted = listenerSet<MessageChangedEvent>();
  readonly conversationCreated = listenerSet<ConversationEvent>();
  readonly conversationUpdated = listenerSet<ConversationEvent>();
  readonly conversationDeleted = listenerSet<ConversationEvent>();
  readonly usersAdded = listenerSet<UsersAddedEvent>();
  readonly usersRemoved = listenerSet<UsersRemovedEvent>();
  readonly typing = listenerSet<TypingEvent>();

  /** Runs the listeners of one event (in registration order). */
  notify(e: ChatHookEvent): Promise<void> {
    const { conversation, participantIds, actorId } = e;
    const base = { conversation, participantIds, actorId };
    switch (e.hook) {
      case 'after_message_sent':
        return this.messageSent.emit({ message: e.message, conversation, participantIds, senderId: actorId });
      case 'after_message_updated':
        return this.messageUpdated.emit({ ...base, message: e.message });
      case 'after_message_deleted':
        return this.messageDeleted.emit({ ...base, message: e.message });
      case 'after_conversation_created':
        return this.conversationCreated.emit(base);
      case 'after_conversation_updated':
        return this.conversationUpdated.emit(base);
      case 'after_conversation_deleted':
        return this.conversationDeleted.emit(base);
      case 'after_users_added_to_conversation':
        return this.usersAdded.emit({ ...base, addedIds: e.addedIds });
      case 'after_users_removed_from_conversation':
        return this.usersRemoved.emit({ ...base, removedIds: e.removedIds });
      case 'typing_started':
        return this.typing.emit({ conversation, participantIds, userId: actorId, event: e.event, at: e.at });
    }
  }
}

/** The process's listeners, behind the public registration functions (thin wrappers, see above). */
export const processListeners = new ChatListeners();

export const afterMessageSent = (fn: Listener<MessageSentEvent>) => processListeners.messageSent.add(fn);
export const afterMessageUpdated = (fn: Listener<MessageChangedEvent>) => processListeners.messageUpdated.add(fn);
export const afterMessageDeleted = (fn: Listener<MessageChangedEvent>) => processListeners.messageDeleted.add(fn);
export const afterConversationCreated = (fn: Listener<ConversationEvent>) => processListeners.conversationCreated.add(fn);
export const afterConversationUpdated = (fn: Listener<ConversationEvent>) => processListeners.conversationUpdated.add(fn);
export const afterConversationDeleted = (fn: Listener<ConversationEvent>) => processListeners.conversationDeleted.add(fn);
export const afterUsersAdded = (fn: Listener<UsersAddedEvent>) => processListeners.usersAdded.add(fn);
export const afterUsersRemoved = (fn: Listener<UsersRemovedEvent>) => processListeners.usersRemoved.add(fn);
export const typingStarted = (fn: Listener<TypingEvent>) => processListeners.typing.add(fn);

/** 1.7's names for the same hooks. */
export const afterUsersAddedToConversation = afterUsersAdded;
export const afterUsersRemovedFromConversation = afterUsersRemoved;
