import type { AuthContext } from '../core/auth-context';
import type { DatabaseId, ErrorItem, RecordJSON } from './codec/record-json';

/** record:query as the 1.7.2 client sends it (Part A §4.7); `predicate`, `sort`, `include` are raw JSON. */
export interface QueryRequest {
  recordType: string;
  predicate?: unknown;
  sort?: unknown;
  include?: unknown;
  desiredKeys?: string[];
  limit?: number;
  offset?: number;
  count?: boolean;
}

export interface QueryResponse {
  records: RecordJSON[];
  /** Total matches ignoring limit/offset, when requested. */
  count?: number;
}

export interface SaveOptions {
  atomic?: boolean;
  requestId: string;
  /** Skip creation access (Part A §5.5): signup creating the user's own profile record. */
  skipCreationAccess?: boolean;
}

/**
 * The record store: ACL-checked reads and writes on Skygear's PostgreSQL layout.
 * Every save/delete of one request runs in one transaction together with its hooks.
 * Whole-request failures throw SkygearError; per-record failures come back as ErrorItems.
 */
export interface RecordStore {
  save(auth: AuthContext, db: DatabaseId, records: unknown[], opts: SaveOptions): Promise<Array<RecordJSON | ErrorItem>>;
  fetch(auth: AuthContext, db: DatabaseId, ids: string[]): Promise<Array<RecordJSON | ErrorItem>>;
  query(auth: AuthContext, db: DatabaseId, query: QueryRequest): Promise<QueryResponse>;
  delete(auth: AuthContext, db: DatabaseId, ids: string[], opts: SaveOptions): Promise<Array<{ _id: string; _type: 'record' } | ErrorItem>>;
}
