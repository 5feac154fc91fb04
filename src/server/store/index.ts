export { ensureSystemSchema, SCHEMA_VERSION } from './schema/bootstrap';
export { createRecordStore, type RecordStoreDeps } from './record-store';
export type { SchemaAdmin, SchemaListing, SchemaDefinition } from './schema/schema-admin';
export type { RecordStore, QueryRequest, QueryResponse, SaveOptions } from './store';
export type { RecordJSON, AclEntry, Acl, ErrorItem, DatabaseId } from './codec/record-json';
export { splitRecordId } from './codec/record-json';
