import type { ChatBounds } from './bounds';
import type { ConversationTurns } from './conversation-turns';
import type { HookLambdas } from './hook-lambdas';
import type { CloudApi, CloudCallOptions, CloudLogger } from './cloud-api';
import { notAuthenticated } from './errors';
import type { AssetSigner } from './records';
import type { SqlPool } from './sql';

/** What every part of the plugin needs, built once by includeme. */
export interface ChatRuntime {
  cloud: CloudApi;
  pool: SqlPool;
  /** Hooks share the host's save transaction (our server) or not (skygear-node); see hook-work.ts. */
  inProcess: boolean;
  log: CloudLogger;
  sign: AssetSigner;
  /** In process: one send per conversation at a time waits for the conversation lock (conversation-turns.ts). */
  turns: ConversationTurns;
  bounds: ChatBounds;
  /** Calls the `chat:<hook>_hook` lambdas other cloud modules registered (hook-lambdas.ts). */
  hookLambdas: HookLambdas;
}

/** The acting user of a lambda or hook call (master-key calls act as `_user_id` or `_god`). */
export function callerOf(options: CloudCallOptions | undefined): string {
  const userId = options?.context?.user_id;
  if (typeof userId !== 'string' || userId === '') throw notAuthenticated();
  return userId;
}

export const isMasterKey = (options: CloudCallOptions | undefined): boolean => options?.context?.access_key_type === 'master';
