import { ConversationTurns } from './conversation-turns';
import type { ChatBounds } from './bounds';
import { processListeners } from './chat-hooks';
import type { ChatSettings, CloudApi, CloudCallOptions, CloudLogger } from './cloud-api';
import * as conversation from './conversation';
import * as conversationHooks from './conversation-hooks';
import { toHostError } from './errors';
import { setChatPool } from './public-api';
import { resolveBounds } from './bounds';
import { HookLambdas } from './hook-lambdas';
import * as message from './message';
import { deleteMessage } from './message-delete';
import { getMessages, getMessagesByIds } from './message-read';
import * as receipt from './receipt';
import type { ChatRuntime, ChatServices } from './runtime/chat-runtime';
import { chooseRunMode } from './runtime/choose-run-mode';
import { ensureChatSchema } from './schema';
import { typing } from './typing';
import { TypingThrottle } from './typing-throttle';
import { getTotalUnread } from './unread-lambda';
import * as userConversation from './user-conversation';

/**
 * The plugin's whole seam with its host (skygear-node or our server): `includeme(skygearCloud,
 * settings)` registers the schema set-up, the `chat:*` lambdas and the record hooks.
 *
 * Lambdas require the API key and a logged-in user. Hooks are NAMED functions: skygear-node names a
 * hook after its function and crashes on anonymous ones on modern Node.
 */
type Handler = (rt: ChatRuntime, param: unknown, options: CloudCallOptions) => Promise<unknown>;

const LAMBDAS: Array<[string, Handler]> = [
  ['chat:create_conversation', conversation.createConversation],
  ['chat:add_participants', conversation.addParticipants],
  ['chat:remove_participants', conversation.removeParticipants],
  ['chat:add_admins', conversation.addAdmins],
  ['chat:remove_admins', conversation.removeAdmins],
  ['chat:leave_conversation', conversation.leaveConversation],
  ['chat:delete_conversation', conversation.deleteConversation],
  ['chat:get_conversation', conversation.getConversation],
  ['chat:get_conversations', conversation.getConversations],
  ['chat:get_messages', getMessages],
  ['chat:get_messages_by_ids', getMessagesByIds],
  ['chat:delete_message', deleteMessage],
  ['chat:mark_as_delivered', receipt.markAsDelivered],
  ['chat:mark_as_read', receipt.markAsRead],
  ['chat:get_receipt', receipt.getReceipt],
  ['chat:total_unread', getTotalUnread],
  ['chat:typing', typing],
];

export async function includeme(cloud: CloudApi, settings?: ChatSettings): Promise<void> {
  const mode = chooseRunMode(cloud, settings);
  const { pool } = mode;
  setChatPool(pool);
  const log = loggerOf(cloud);
  const services: ChatServices = {
    cloud,
    pool,
    log,
    sign: signerOf(cloud),
    turns: new ConversationTurns(),
    bounds: resolveBounds(settings?.bounds as Partial<ChatBounds> | undefined),
    hookLambdas: new HookLambdas(cloud, log),
    listeners: processListeners,
    typingThrottle: new TypingThrottle(),
    hostError: (err) => toHostError(err, cloud.SkygearError),
  };
  const rt = mode.runtime(services);

  cloud.event('before-plugins-ready', function ensureChatSchemaBeforeReady() {
    return ensureChatSchema(pool);
  });

  for (const [name, handler] of LAMBDAS) {
    cloud.op(name, (param: unknown, options: CloudCallOptions) => toHost(rt, () => handler(rt, param, options ?? {})), {
      keyRequired: true,
      userRequired: true,
    });
  }
  registerHooks(cloud, rt);
}

/** Runs plugin code for the host: the errors the plugin made leave it as the host's class (errors.ts). */
function toHost<T>(rt: ChatRuntime, run: () => T): T {
  try {
    const result = run();
    return (result instanceof Promise ? result.catch((err: unknown) => Promise.reject(rt.hostError(err))) : result) as T;
  } catch (err) {
    throw rt.hostError(err);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function registerHooks(cloud: CloudApi, rt: ChatRuntime): void {
  cloud.beforeSave('conversation', function conversationBeforeSave(record: any, original: any, _pool: any, options: CloudCallOptions) {
    return toHost(rt, () => conversationHooks.conversationBeforeSave(rt, record, original, options));
  });
  cloud.afterSave('conversation', function conversationAfterSave(record: any, original: any, _pool: any, options: CloudCallOptions) {
    return toHost(rt, () => conversationHooks.conversationAfterSave(rt, record, original, options));
  });
  cloud.beforeDelete('conversation', function conversationBeforeDelete() {
    toHost(rt, () => conversationHooks.conversationBeforeDelete());
  });
  cloud.beforeSave('message', function messageBeforeSave(record: any, original: any, _pool: any, options: CloudCallOptions) {
    return toHost(rt, () => message.messageBeforeSave(rt, record, original, options));
  });
  cloud.afterSave('message', function messageAfterSave(record: any, original: any, _pool: any, options: CloudCallOptions) {
    return toHost(rt, () => message.messageAfterSave(rt, record, original, options));
  });
  cloud.beforeDelete('message', function messageBeforeDelete() {
    toHost(rt, () => message.messageBeforeDelete());
  });
  cloud.beforeSave('user_conversation', function userConversationBeforeSave(record: any, original: any, _pool: any, options: CloudCallOptions) {
    return toHost(rt, () => userConversation.userConversationBeforeSave(rt, record, original, options));
  });
  cloud.afterSave('user_conversation', function userConversationAfterSave(record: any, original: any, _pool: any, options: CloudCallOptions) {
    return toHost(rt, () => userConversation.userConversationAfterSave(rt, record, original, options));
  });
  cloud.beforeDelete('user_conversation', function userConversationBeforeDelete() {
    toHost(rt, () => userConversation.userConversationBeforeDelete());
  });
  cloud.beforeSave('receipt', function receiptBeforeSave(record: any, original: any, _pool: any, options: CloudCallOptions) {
    return toHost(rt, () => receipt.receiptBeforeSave(rt, record, original, options));
  });
  cloud.afterSave('receipt', function receiptAfterSave(record: any, original: any, _pool: any, options: CloudCallOptions) {
    return toHost(rt, () => receipt.receiptAfterSave(rt, record, original, options));
  });
  cloud.beforeDelete('receipt', function receiptBeforeDelete() {
    toHost(rt, () => receipt.receiptBeforeDelete());
  });
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function loggerOf(cloud: CloudApi): CloudLogger {
  try {
    const log = cloud.log?.('chat');
    if (log) return log;
  } catch {
    // fall through to the console
  }
  return {
    info: (obj, msg) => console.info(msg ?? '', obj),
    warn: (obj, msg) => console.warn(msg ?? '', obj),
    error: (obj, msg) => console.error(msg ?? '', obj),
  };
}

/** Asset URLs from the runtime's signer; no signer (or a failing one) means no `$url`. */
function signerOf(cloud: CloudApi): ChatRuntime['sign'] {
  return async (name: string) => {
    try {
      const signer = cloud.getSigner?.();
      return signer ? String(await signer.sign(name)) : undefined;
    } catch {
      return undefined;
    }
  };
}
