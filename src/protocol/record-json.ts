/**
 * Records on the wire (skygear-protocol.md Part A §4.1/§4.2): what clients send and receive and what
 * record hooks get, on both sides of the plugin seam. `_id` is "<type>/<key>"; data fields use
 * `$type` encodings for dates, refs and assets.
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

/** `{$type:'ref'}`: a reference to the record "<type>/<key>". */
export interface RefJSON {
  $type: 'ref';
  $id: string;
}

/** `{$type:'date'}`: an RFC 3339 instant (the server writes UTC). */
export interface DateJSON {
  $type: 'date';
  $date: string;
}

/** `{$type:'asset'}`: `$url` is the (signed) download URL, when the sender could make one. */
export interface AssetJSON {
  $type: 'asset';
  $name: string;
  $content_type?: string;
  $url?: string;
}
