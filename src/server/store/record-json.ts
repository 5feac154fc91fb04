/**
 * Records on the wire (skygear-protocol.md Part A §4.1/§4.2): what clients send and receive and what
 * hooks get. `_id` is "<type>/<key>"; data fields use `$type` encodings for dates, refs, assets.
 */
export interface AclEntry {
  level: 'read' | 'write';
  public?: true;
  role?: string;
  user_id?: string;
  relation?: string;
}

export type Acl = AclEntry[] | null;

export interface RecordJSON {
  _id: string;
  _type?: 'record';
  _access?: Acl;
  _ownerID?: string;
  _created_at?: string;
  _created_by?: string;
  _updated_at?: string;
  _updated_by?: string;
  _transient?: Record<string, unknown>;
  [field: string]: unknown;
}

/** A failed item inside a batch result (§1.6). */
export interface ErrorItem {
  _type: 'error';
  _id?: string;
  name: string;
  code: number;
  message: string;
  info?: Record<string, unknown>;
}

export type DatabaseId = '_public' | '_private' | '_union' | string;

/** "note/42" → { type: "note", key: "42" }; the key may itself contain '/'. */
export function splitRecordId(id: string): { type: string; key: string } | null {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return null;
  return { type: id.slice(0, slash), key: id.slice(slash + 1) };
}
