import { HostTables } from '../protocol/host-tables';
import { isDeepStrictEqual } from 'node:util';
import type { CloudCallOptions } from './cloud-api';
import { invalidArgument, notFound, permissionDenied } from './errors';
import { deterministicId } from './ids';
import { loadConversation, participantReadAcl } from './membership';
import { attachmentName, bothGenerations, checkContent, conversationOfMessage } from './message-fields';
import { loadMessageRow } from './message-send';
import { conversationJSON, dateJSON, hookResult, keyOf, messageJSON, type RecordJSON, refId, refJSON } from './records';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf, isMasterKey } from './caller';
import { NOW_UTC, type Queryable, toNumber } from './sql';

/**
 * Editing (chat-api.md §6): the author — or the master key — saves the message again with a new body,
 * metadata or attachment. The previous version is kept as a `message_history` row, `edited_at` /
 * `edited_by` are set and `revision` goes up by one; participants get `update`, and
 * after_message_updated fires. Anyone else → 102 (1.7 let any member edit any message); a deleted
 * message → 108; another conversation or `seq` → 108. The server-maintained fields a client sends
 * back with the whole record (status, revision, edited_*) are ignored, not refused: the 1.x SDK's
 * editMessage re-saves the record it fetched.
 *
 * No conversation lock: the server locked the message row before calling us (a delete takes the
 * conversation lock and then this row, so taking the conversation here would invert that order).
 * Nothing an edit changes feeds I1–I4.
 */
export async function beforeEdit(rt: ChatRuntime, json: RecordJSON, stored: RecordJSON, options: CloudCallOptions): Promise<RecordJSON> {
  const caller = callerOf(options);
  const master = isMasterKey(options);
  if (stored.deleted === true) throw invalidArgument('the message was deleted; it cannot be edited', ['_id']);
  const author = String(stored._ownerID ?? '');
  if (caller !== author && !master) throw permissionDenied('only the author of a message can edit it');
  const conversationId = conversationOfMessage(stored);
  let sent: string;
  try {
    sent = conversationOfMessage(json);
  } catch {
    sent = '';
  }
  if (sent !== conversationId) throw invalidArgument('a message cannot move to another conversation', ['conversation', 'conversation_id']);
  if (toNumber(json.seq) !== toNumber(stored.seq)) throw invalidArgument('message.seq is assigned by the server', ['seq']);
  if (json.deleted === true) throw invalidArgument('delete a message with chat:delete_message', ['deleted']);
  checkContent(json, rt.bounds);
  const attachment = attachmentName(json);
  // Saving the record back unchanged (a client re-saving what it fetched) is not an edit.
  if (!contentChanged(json, stored)) return hookResult({ ...json, ...serverFields(stored, conversationId) });
  await rt.beforeSave(options, async (q) => {
    if (attachment && attachment !== attachmentName(stored) && (await q.query(`SELECT 1 FROM ${HostTables.asset} WHERE id = $1`, [attachment])).rows.length === 0) {
      throw invalidArgument('message.attachment refers to an unknown asset (upload it first)', ['attachment']);
    }
    if (master) return;
    const conversation = await loadConversation(q, conversationId, false);
    if (!conversation || conversation.deleted) throw notFound(`conversation "${conversationId}" not found`);
    if (!conversation.participant_ids.includes(caller)) throw permissionDenied('user is not a participant of the conversation, permission denied');
  });
  return hookResult({
    ...json,
    ...bothGenerations(conversationId, stored.conversation_status ?? 'delivered'),
    deleted: false,
    revision: revisionOf(stored) + 1,
    edited_at: { $type: 'date', $date: new Date().toISOString() },
    // The master key acting as nobody (`_god`) is no user a reference could point at.
    edited_by: caller.startsWith('_') ? null : refJSON('user', caller),
    _access: participantReadAcl(conversationId),
  });
}

const CONTENT = ['body', 'metadata'] as const;

function contentChanged(json: RecordJSON, stored: RecordJSON): boolean {
  return CONTENT.some((f) => !isDeepStrictEqual(json[f] ?? null, stored[f] ?? null)) || attachmentName(json) !== attachmentName(stored);
}

/** What the plugin maintains, as stored: a client's copy of these is ignored. */
function serverFields(stored: RecordJSON, conversationId: string): RecordJSON {
  return {
    _id: stored._id,
    ...bothGenerations(conversationId, stored.conversation_status ?? 'delivered'),
    seq: stored.seq,
    deleted: false,
    revision: revisionOf(stored),
    edited_at: stored.edited_at ?? null,
    edited_by: stored.edited_by ?? null,
    _access: participantReadAcl(conversationId),
  };
}

const revisionOf = (record: RecordJSON): number => {
  const n = toNumber(record.revision);
  return Number.isInteger(n) && n >= 1 ? n : 1;
};

/** After an edit: the replaced version into message_history, `update` to the participants, the hook. */
export async function afterEdit(rt: ChatRuntime, json: RecordJSON, original: RecordJSON, options: CloudCallOptions): Promise<void> {
  const actorId = options?.context?.user_id ?? String(json._updated_by ?? '');
  const messageId = keyOf(json);
  const revision = revisionOf(json);
  if (revision <= revisionOf(original)) return; // not an edit (e.g. a save the before-save did not see)
  await rt.afterSave(
    options,
    async (q) => (await q.query(`SELECT 1 FROM message WHERE _id = $1 AND revision >= $2`, [messageId, revision])).rows.length > 0,
    async (q, outbox) => {
      await keepHistory(q, messageId, original);
      const row = await loadMessageRow(q, messageId);
      if (!row) return;
      const conversation = await loadConversation(q, String(row.conversation_id), false);
      if (!conversation) return;
      const message = await messageJSON(row, rt.sign);
      outbox.publishRecord(conversation.participant_ids, 'update', 'message', message);
      outbox.hook({
        hook: 'after_message_updated',
        message,
        conversation: conversationJSON(conversation),
        participantIds: [...conversation.participant_ids],
        actorId,
      });
    },
  );
}

/**
 * The version an edit replaced, as a message_history row (same ACL as the message: participants
 * read). Its id is derived from the message and the replaced revision, so running this twice (the
 * deferred after-save under skygear-node) keeps one row.
 */
async function keepHistory(q: Queryable, messageId: string, original: RecordJSON): Promise<void> {
  const conversationId = refId(original.conversation_id, 'conversation') ?? refId(original.conversation, 'conversation');
  if (!conversationId) return;
  const revision = revisionOf(original);
  const editedAt = dateJSON((original.edited_at as { $date?: unknown } | null | undefined)?.$date);
  await q.query(
    `INSERT INTO message_history (_id, _database_id, _owner_id, _access, _created_at, _created_by, _updated_at, _updated_by,
                                  parent, revision, body, metadata, attachment, conversation_id, conversation,
                                  conversation_status, message_status, edited_at, edited_by)
     VALUES ($1, '', $2, $3::jsonb, ${NOW_UTC}, $2, ${NOW_UTC}, $2, $4, $5, $6, $7::jsonb, $8, $9, $9, $10, $10, $11, $12)
     ON CONFLICT (_id) DO NOTHING`,
    [
      deterministicId(messageId, `:revision:${revision}`),
      String(original._ownerID),
      JSON.stringify(participantReadAcl(conversationId)),
      messageId,
      revision,
      typeof original.body === 'string' ? original.body : null,
      original.metadata === undefined || original.metadata === null ? null : JSON.stringify(original.metadata),
      attachmentName(original) ?? null,
      conversationId,
      typeof original.conversation_status === 'string' ? original.conversation_status : null,
      editedAt?.$date ?? null,
      refId(original.edited_by, 'user') ?? null,
    ],
  );
}
