import type { ChatBounds } from '../bounds';
import type { ChatListeners } from '../chat-hooks';
import type { CloudApi, CloudCallOptions, CloudLogger, RecordSave } from '../cloud-api';
import type { ConversationTurns } from '../conversation-turns';
import type { HookLambdas } from '../hook-lambdas';
import type { Outbox } from '../realtime';
import type { AssetSigner } from '../records';
import type { Queryable, SqlPool } from '../sql';
import type { TypingThrottle } from '../typing-throttle';

/** What every part of the plugin needs, built once by includeme. */
export interface ChatServices {
  cloud: CloudApi;
  pool: SqlPool;
  log: CloudLogger;
  sign: AssetSigner;
  /** In the host: one send per conversation at a time waits for the conversation lock (conversation-turns.ts). */
  turns: ConversationTurns;
  bounds: ChatBounds;
  /** Calls the `chat:<hook>_hook` lambdas other cloud modules registered (hook-lambdas.ts). */
  hookLambdas: HookLambdas;
  /** The in-process chat hook listeners (chat-hooks.ts). */
  listeners: ChatListeners;
  /** chat:typing's fan-out throttle, one per loaded plugin. */
  typingThrottle: TypingThrottle;
  /** The error to throw to the host for one the plugin made (errors.ts `toHostError`). */
  hostError(err: unknown): unknown;
}

/** Lambda work: one transaction; `outbox` collects what to publish after COMMIT. */
export type Work<T> = (q: Queryable, outbox: Outbox) => Promise<T>;

/**
 * Save-hook work. `save` is the record's save when the work runs inside it (in the host): then it may
 * lock rows, and carry what it locked to the after-save hook. Null when the work runs on a connection
 * of its own, which cannot see the save's uncommitted rows and must take no row locks.
 */
export type BeforeSaveWork<T> = (q: Queryable, save: RecordSave | null) => Promise<T>;
export type AfterSaveWork = (q: Queryable, outbox: Outbox, save: RecordSave | null) => Promise<void>;

/** Whether the host has committed the save yet, asked on the plugin's own connection. */
export type SaveVisible = (q: Queryable) => Promise<boolean>;

/**
 * The plugin's two ways of running, chosen once by includeme (choose-run-mode.ts):
 * - in the host (in-host.ts): save hooks work in the record's save (`options.save`), so their writes
 *   commit or roll back with the record;
 * - on its own connection (own-connection.ts): under skygear-node, whose server waits for the hook
 *   inside a transaction the plugin cannot join.
 * Lambdas run the same way in both: one transaction of their own, events and chat hooks after COMMIT.
 */
export interface ChatRuntime extends ChatServices {
  lambda<T>(work: Work<T>): Promise<T>;
  /** Before-save work: validation, and in the host the locks. */
  beforeSave<T>(options: CloudCallOptions, work: BeforeSaveWork<T>): Promise<T>;
  /** After-save work; `visible` tells an own connection when the save has committed. */
  afterSave(options: CloudCallOptions, visible: SaveVisible, work: AfterSaveWork): Promise<void>;
}
