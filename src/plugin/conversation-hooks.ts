import { isDeepStrictEqual } from 'node:util';
import { isPlainObject } from './args';
import { checkMetadata, checkTitle } from './bounds';
import type { CloudCallOptions } from './cloud-api';
import { applyConversationChange } from './conversation-change';
import { duplicateDistinct, existingDistinct, lockDistinctKey } from './conversation';
import { invalidArgument, notSupported, permissionDenied } from './errors';
import { distinctKey } from './ids';
import { type ConversationRow, assertUsersExist, conversationAcl, loadConversation } from './membership';
import { dateJSON, hookResult, keyOf, type RecordJSON, refJSON, wireJSON } from './records';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf, isMasterKey } from './caller';
import { toDate } from './sql';

/**
 * Conversations through the record API, for seed-era clients (chat-api.md §2, last paragraph).
 *
 * Create: any user; the caller is added to participant_ids; admin_ids default to all participants
 * (the seed rule). Update: only admins as of the STORED record (102 otherwise); they may change title,
 * metadata, participants and admins. The hook always sets `_access`, so a save without it never wipes
 * the ACL (fixes A9), and always derives participant_count, distinct_key and the last_message fields
 * (a client cannot set them). Delete: 111 (use chat:delete_conversation).
 * The after-save hook then does exactly what the lambdas do (conversation-change.ts).
 */
function idListField(json: RecordJSON, field: string): string[] | undefined {
  const value = json[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidArgument(`${field} must be a list of user ids`, [field]);
  for (const id of value) {
    if (typeof id !== 'string' || id === '' || id.includes('/')) {
      throw invalidArgument(`Some ${field.replace('_ids', '')} IDs are not in correct format (bare user ids, no "user/" prefix)`, [field]);
    }
  }
  return [...new Set(value as string[])];
}

function storedLists(stored: RecordJSON | null): { participants: string[]; admins: string[] } {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return { participants: list(stored?.participant_ids), admins: list(stored?.admin_ids) };
}

/**
 * The metadata a save sets: `metadata`, or `meta` — what the 1.x SDK's updateConversation writes
 * (chat-api.md §6). The hook saves it as `metadata` and leaves `meta` empty. Both sent and different
 * is 108. The record the hook sees is merged with the stored one, so a value equal to the stored one
 * was not sent.
 */
function metadataOf(json: RecordJSON, stored: RecordJSON | null): unknown {
  const sentMeta = json.meta !== undefined && json.meta !== null ? json.meta : undefined;
  if (sentMeta === undefined) return json.metadata;
  const sentMetadata = json.metadata !== undefined && !isDeepStrictEqual(json.metadata, stored?.metadata) ? json.metadata : undefined;
  if (sentMetadata !== undefined && sentMetadata !== null && !isDeepStrictEqual(sentMetadata, sentMeta)) {
    throw invalidArgument('meta and metadata are the same field and were given different values', ['meta', 'metadata']);
  }
  return sentMeta;
}

export async function conversationBeforeSave(rt: ChatRuntime, record: unknown, original: unknown, options: CloudCallOptions): Promise<unknown> {
  const json = wireJSON(record);
  if (!json) throw invalidArgument('conversation record is malformed', ['record']);
  const stored = wireJSON(original);
  const caller = callerOf(options);
  const master = isMasterKey(options);
  const cid = keyOf(json);
  if (json.title !== undefined && json.title !== null && typeof json.title !== 'string') throw invalidArgument('title must be a string', ['title']);
  checkTitle(json.title, rt.bounds);
  const metadata = metadataOf(json, stored);
  if (metadata !== undefined && metadata !== null && !isPlainObject(metadata)) throw invalidArgument('metadata must be a JSON object', ['metadata']);
  checkMetadata(metadata, rt.bounds);
  if (json.distinct_by_participants !== undefined && json.distinct_by_participants !== null && typeof json.distinct_by_participants !== 'boolean') {
    throw invalidArgument('distinct_by_participants must be true or false', ['distinct_by_participants']);
  }
  const sentParticipants = idListField(json, 'participant_ids');
  const sentAdmins = idListField(json, 'admin_ids');

  return rt.beforeSave(options, async (q, save) => {
    // Updates work on the LOCKED row (in the record's save; an own connection must not lock): the
    // record the server merged may predate a concurrent lambda. Lists the client did not change
    // (equal to the stored record's) are taken from that row.
    const current = stored ? await loadConversation(q, cid, save !== null) : null;
    if (stored && current) {
      if (current.deleted) throw permissionDenied('the conversation was deleted');
      if (!current.admin_ids.includes(caller) && !master) throw permissionDenied('user is not an admin of the conversation, permission denied');
    }
    const before = current ? { participants: current.participant_ids, admins: current.admin_ids } : storedLists(stored);
    const previous = storedLists(stored);
    const changed = (sent: string[] | undefined, prev: string[]) =>
      sent !== undefined && (sent.length !== prev.length || sent.some((x) => !prev.includes(x)));
    let participants = changed(sentParticipants, previous.participants) || !stored ? (sentParticipants ?? []) : before.participants;
    let admins = changed(sentAdmins, previous.admins) || !stored ? (sentAdmins ?? []) : before.admins;
    if (!stored && !master && !participants.includes(caller)) participants = [...participants, caller];
    if (!stored && admins.length === 0) admins = [...participants];
    if (participants.length === 0 && !stored) throw invalidArgument('Conversation must have participants', ['participant_ids']);
    if (admins.some((a) => !participants.includes(a))) throw invalidArgument('Admins should also be participants', ['admin_ids']);
    if (admins.length === 0 && participants.length > 0) throw invalidArgument('a conversation must keep at least one admin', ['admin_ids']);
    await assertUsersExist(q, participants.filter((p) => !before.participants.includes(p)), 'participant_ids');

    const membershipChanged = !!stored && (participants.length !== before.participants.length || participants.some((p) => !before.participants.includes(p)));
    const wantsDistinct = json.distinct_by_participants === true && !membershipChanged;
    const key = wantsDistinct ? distinctKey(participants) : null;
    if (key && current?.distinct_key !== key) {
      await lockDistinctKey(q, key);
      const existing = await existingDistinct(q, key);
      if (existing && existing !== cid) throw duplicateDistinct(existing);
    }
    return hookResult({
      ...json,
      participant_ids: participants,
      admin_ids: admins,
      participant_count: participants.length,
      distinct_by_participants: wantsDistinct,
      distinct_key: key,
      metadata: metadata ?? (stored ? null : {}),
      meta: null,
      deleted: false,
      last_message: current?.last_message ? refJSON('message', current.last_message) : null,
      last_message_at: dateJSON(current?.last_message_at),
      _access: conversationAcl(cid),
    });
  });
}

export async function conversationAfterSave(rt: ChatRuntime, record: unknown, original: unknown, options: CloudCallOptions): Promise<void> {
  const json = wireJSON(record);
  if (!json) return;
  const stored = wireJSON(original);
  const cid = keyOf(json);
  const actor = options?.context?.user_id ?? String(json._updated_by ?? json._ownerID ?? '');
  const updatedAt = toDate(json._updated_at);
  const before: Pick<ConversationRow, 'title' | 'metadata' | 'admin_ids' | 'distinct_by_participants'> | null = stored
    ? {
        title: stored.title ?? null,
        metadata: stored.metadata ?? null,
        admin_ids: storedLists(stored).admins,
        distinct_by_participants: stored.distinct_by_participants === true,
      }
    : null;
  await rt.afterSave(
    options,
    async (q) => (await q.query(`SELECT 1 FROM conversation WHERE _id = $1 AND _updated_at >= $2`, [cid, updatedAt?.toISOString() ?? '1970-01-01'])).rows.length > 0,
    async (q, outbox) => {
      await applyConversationChange(rt, q, outbox, cid, { before, actorId: actor });
    },
  );
}

export function conversationBeforeDelete(): never {
  throw notSupported('Deleting a conversation is not supported (call chat:delete_conversation)');
}
