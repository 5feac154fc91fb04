export { ensureSystemSchema, SCHEMA_VERSION } from './bootstrap';
export { createRecordStore, type RecordStoreDeps } from './record-store';
export type { SchemaAdmin, SchemaListing, SchemaDefinition } from './schema-admin';
export type { RecordStore, QueryRequest, QueryResponse, SaveOptions } from './store';
export type { RecordJSON, AclEntry, Acl, ErrorItem, DatabaseId } from './record-json';
export { splitRecordId } from './record-json';
