import { HostTables } from '../protocol/host-tables';
import type { Acl, AssetJSON, DateJSON, RecordJSON, RefJSON } from '../protocol/record-json';
import { toDate, toNumber } from './sql';

/**
 * Database rows → Skygear record JSON (protocol Part A §4.1/§4.2), the shape clients get from the
 * record API: `_id` "type/<id>", `_type` "record", `_access`, `_ownerID`, RFC3339 `_created_at`…,
 * refs `{$type:'ref',$id}`, dates `{$type:'date',$date}`, assets `{$type:'asset',$name,$content_type,$url}`.
 * NULL columns are omitted, as the server omits them.
 */
export type Row = Record<string, unknown>;
export type { RecordJSON };

export const refJSON = (type: string, id: string): RefJSON => ({ $type: 'ref', $id: `${type}/${id}` });

export function dateJSON(value: unknown): DateJSON | null {
  const date = toDate(value);
  return date ? { $type: 'date', $date: date.toISOString() } : null;
}

export const isoString = (value: unknown): string | null => toDate(value)?.toISOString() ?? null;

function systemFields(type: string, row: Row): RecordJSON {
  // Row values are taken as the database holds them (the host wrote them in these shapes).
  const out: RecordJSON = { _id: `${type}/${String(row._id)}`, _type: 'record', _access: (row._access as Acl | undefined) ?? null };
  if (row._owner_id) out._ownerID = row._owner_id as string;
  const created = isoString(row._created_at);
  if (created) out._created_at = created;
  if (row._created_by) out._created_by = row._created_by as string;
  const updated = isoString(row._updated_at);
  if (updated) out._updated_at = updated;
  if (row._updated_by) out._updated_by = row._updated_by as string;
  return out;
}

const put = (out: RecordJSON, key: string, value: unknown): void => {
  if (value !== null && value !== undefined) out[key] = value;
};

/** Signs asset names into download URLs (`skygearCloud.getSigner().sign`), or gives none. */
export type AssetSigner = (name: string) => Promise<string | undefined>;

/**
 * The columns a message is rendered from. `conversation` and `message_status`, the 1.x names, always
 * hold the same values as `conversation_id` and `conversation_status` (chat-api.md §6), so only the
 * seed columns are read and both names are rendered from them.
 */
export const MESSAGE_COLUMNS = `m._id, m._owner_id, m._access, m._created_at, m._created_by, m._updated_at, m._updated_by,
  m.body, m.conversation_status, m.attachment, m.metadata, m.conversation_id, m.seq, m.deleted,
  m.revision, m.edited_at, m.edited_by,
  (SELECT a.content_type FROM ${HostTables.asset} a WHERE a.id = m.attachment) AS attachment_content_type`;

export async function messageJSON(row: Row, sign: AssetSigner): Promise<RecordJSON> {
  return renderMessage(row, row.attachment ? await sign(String(row.attachment)) : undefined);
}

/**
 * A page of messages: rendered in one synchronous pass, waiting for the signer only when some row
 * has an attachment (a promise per row was a visible share of a 50-message page's garbage).
 */
export async function messagesJSON(rows: Row[], sign: AssetSigner): Promise<RecordJSON[]> {
  if (!rows.some((row) => row.attachment)) return rows.map((row) => renderMessage(row, undefined));
  return Promise.all(rows.map((row) => messageJSON(row, sign)));
}

/** `url`: the attachment's signed download URL, when it has one. */
function renderMessage(row: Row, url: string | undefined): RecordJSON {
  const out = systemFields('message', row);
  put(out, 'body', row.body);
  put(out, 'conversation_status', row.conversation_status);
  put(out, 'message_status', row.conversation_status);
  if (row.attachment) {
    const asset: AssetJSON = { $type: 'asset', $name: String(row.attachment) };
    if (row.attachment_content_type) asset.$content_type = String(row.attachment_content_type);
    if (url !== undefined) asset.$url = url;
    out.attachment = asset;
  }
  put(out, 'metadata', row.metadata);
  if (row.conversation_id) {
    out.conversation_id = refJSON('conversation', String(row.conversation_id));
    out.conversation = refJSON('conversation', String(row.conversation_id));
  }
  if (row.seq !== null && row.seq !== undefined) out.seq = toNumber(row.seq);
  put(out, 'deleted', row.deleted);
  if (row.revision !== null && row.revision !== undefined) out.revision = toNumber(row.revision);
  put(out, 'edited_at', dateJSON(row.edited_at));
  if (row.edited_by) out.edited_by = refJSON('user', String(row.edited_by));
  return out;
}

export const CONVERSATION_COLUMNS = `c._id, c._owner_id, c._access, c._created_at, c._created_by, c._updated_at, c._updated_by,
  c.title, c.admin_ids, c.participant_ids, c.participant_count, c.distinct_by_participants, c.metadata,
  c.last_message, c.last_message_at, c.deleted, c.distinct_key`;

export function conversationJSON(row: Row): RecordJSON {
  const out = systemFields('conversation', row);
  put(out, 'title', row.title);
  put(out, 'admin_ids', row.admin_ids);
  put(out, 'participant_ids', row.participant_ids);
  if (row.participant_count !== null && row.participant_count !== undefined) out.participant_count = toNumber(row.participant_count);
  put(out, 'distinct_by_participants', row.distinct_by_participants);
  put(out, 'metadata', row.metadata);
  if (row.last_message) out.last_message = refJSON('message', String(row.last_message));
  put(out, 'last_message_at', dateJSON(row.last_message_at));
  put(out, 'deleted', row.deleted);
  return out;
}

export const USER_CONVERSATION_COLUMNS = `_id, _owner_id, _access, _created_at, _created_by, _updated_at, _updated_by,
  unread_count, last_read_message, "user", conversation, joined_seq`;

/** A user_conversation row as its owner sees it (the read state sent to their devices, chat-api.md §4). */
export function userConversationJSON(row: Row): RecordJSON {
  const out = systemFields('user_conversation', row);
  out.unread_count = toNumber(row.unread_count);
  out.last_read_message = row.last_read_message ? refJSON('message', String(row.last_read_message)) : null;
  if (row.user) out.user = refJSON('user', String(row.user));
  if (row.conversation) out.conversation = refJSON('conversation', String(row.conversation));
  if (row.joined_seq !== null && row.joined_seq !== undefined) out.joined_seq = toNumber(row.joined_seq);
  return out;
}

/**
 * A record-like value a hook received (a skygear Record under both runtimes, or plain JSON) as wire
 * JSON. Record.toJSON() gives exactly the wire shape, refs and dates included.
 */
export function wireJSON(value: unknown): RecordJSON | null {
  if (value === null || value === undefined) return null;
  const json = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  if (json === null || typeof json !== 'object' || typeof (json as { _id?: unknown })._id !== 'string') return null;
  return json as RecordJSON;
}

/**
 * What a before-save hook returns: plain wire JSON that also answers `toJSON()`, because skygear-node
 * serialises a hook's result with `record.toJSON()` and our host accepts either.
 */
export function hookResult(json: RecordJSON): RecordJSON {
  const out = { ...json };
  Object.defineProperty(out, 'toJSON', { value: () => ({ ...json }), enumerable: false });
  return out;
}

/** The bare key of a wire `_id` ("message/abc" → "abc"). */
export const keyOf = (json: RecordJSON): string => json._id.slice(json._id.indexOf('/') + 1);

/**
 * A ref field's bare id, from `{$type:'ref',$id}`, a Reference, a "type/id" string or a bare id.
 * Returns null for a missing value and `undefined` for a value that is not a ref to `type`.
 */
export function refId(value: unknown, type: string): string | null | undefined {
  if (value === null || value === undefined) return null;
  const raw = typeof value === 'object' ? ((value as { $id?: unknown }).$id ?? (value as { id?: unknown }).id) : value;
  if (typeof raw !== 'string' || raw === '') return undefined;
  const slash = raw.indexOf('/');
  if (slash < 0) return raw;
  if (raw.slice(0, slash) !== type || slash === raw.length - 1) return undefined;
  return raw.slice(slash + 1);
}
