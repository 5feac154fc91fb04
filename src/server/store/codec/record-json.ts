/**
 * Records on the wire (skygear-protocol.md Part A §4.1/§4.2): what clients send and receive and what
 * hooks get. The record shape itself is shared with the chat plugin (protocol/record-json.ts); what
 * only the host's API needs is here.
 */
export type { Acl, AclEntry, RecordJSON } from '../../../protocol/record-json';

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
