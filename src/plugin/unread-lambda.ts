import type { CloudCallOptions } from './cloud-api';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf } from './caller';
import { totalUnread } from './unread';

/** chat:total_unread — `{conversation, message}`, 0 when nothing is unread (never null, fixes B8). */
export async function getTotalUnread(rt: ChatRuntime, _param: unknown, options: CloudCallOptions): Promise<unknown> {
  const userId = callerOf(options);
  return rt.lambda((q) => totalUnread(q, userId));
}
