import type { CloudCallOptions } from './cloud-api';
import { type ChatRuntime, callerOf } from './runtime';
import { totalUnread } from './unread';
import { runLambda } from './work';

/** chat:total_unread — `{conversation, message}`, 0 when nothing is unread (never null, fixes B8). */
export async function getTotalUnread(rt: ChatRuntime, _param: unknown, options: CloudCallOptions): Promise<unknown> {
  const userId = callerOf(options);
  return runLambda(rt, (q) => totalUnread(q, userId));
}
