import { CONVERSATION_COLUMNS, type RecordJSON, conversationJSON, keyOf, refId, wireJSON } from './records';
import type { Queryable, SqlPool } from './sql';
import { type TotalUnread, totalUnread as countUnread } from './unread';

/**
 * The plugin's public helpers for app code (exported from index.ts), such as the README's
 * push-notification sample uses (the seed documented `total_unread`, `Conversation` and `Message`).
 * They take a pool: inside a hook under our server pass the hook's `pool` argument (it joins the
 * save's transaction, so counts already include the message being sent); elsewhere `chatPool()` is
 * the plugin's own.
 *
 * The pool lives on the runtime includeme builds (`rt.pool`). This module keeps a pointer to the
 * latest one only because `chatPool()` and the `pool`-less forms of these helpers are public API
 * that takes no runtime: app code calls them from anywhere.
 */
let pluginPool: SqlPool | undefined;

/** Called by includeme with the pool of the runtime it built. */
export function setChatPool(pool: SqlPool): void {
  pluginPool = pool;
}

/** The pool the plugin resolved in includeme (see runtime/choose-run-mode.ts). */
export function chatPool(): SqlPool {
  if (!pluginPool) throw new Error('chat plugin: includeme has not run yet');
  return pluginPool;
}

const usable = (pool: Queryable | null | undefined): Queryable => pool ?? chatPool();

/** `{conversation, message}` unread totals of a user (0, never null). */
export function totalUnread(pool: Queryable | null | undefined, userId: string): Promise<TotalUnread> {
  return countUnread(usable(pool), userId);
}

/** `record` as record JSON, if it is a record of `type`; otherwise a TypeError naming `what`. */
function recordOfType(record: unknown, type: string, what: string): RecordJSON {
  const json = wireJSON(record);
  if (!json || !json._id.startsWith(`${type}/`)) throw new TypeError(`${what} needs a ${type} record`);
  return json;
}

const idList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** A conversation record (skygear Record or record JSON) with its member sets. */
export class Conversation {
  readonly record: RecordJSON;

  constructor(record: unknown) {
    this.record = recordOfType(record, 'conversation', 'Conversation');
  }

  static async fetch(pool: Queryable | null | undefined, conversationId: string): Promise<Conversation | null> {
    const res = await usable(pool).query(`SELECT ${CONVERSATION_COLUMNS} FROM conversation c WHERE c._id = $1`, [conversationId]);
    return res.rows[0] ? new Conversation(conversationJSON(res.rows[0])) : null;
  }

  get id(): string {
    return keyOf(this.record);
  }

  get title(): string | null {
    return typeof this.record.title === 'string' ? this.record.title : null;
  }

  get participantIds(): string[] {
    return idList(this.record.participant_ids);
  }

  get adminIds(): string[] {
    return idList(this.record.admin_ids);
  }

  get participantSet(): Set<string> {
    return new Set(this.participantIds);
  }

  get adminSet(): Set<string> {
    return new Set(this.adminIds);
  }

  isParticipant(userId: string): boolean {
    return this.participantSet.has(userId);
  }

  isAdmin(userId: string): boolean {
    return this.adminSet.has(userId);
  }
}

/** A message record (skygear Record or record JSON). */
export class Message {
  readonly record: RecordJSON;

  constructor(record: unknown) {
    this.record = recordOfType(record, 'message', 'Message');
  }

  get id(): string {
    return keyOf(this.record);
  }

  get body(): string {
    return typeof this.record.body === 'string' ? this.record.body : '';
  }

  /** The sender: the record's owner. */
  get senderId(): string {
    return String(this.record._ownerID ?? '');
  }

  get conversationId(): string {
    return refId(this.record.conversation_id, 'conversation') ?? '';
  }

  async fetchConversation(pool?: Queryable | null): Promise<Conversation | null> {
    return Conversation.fetch(pool, this.conversationId);
  }
}
