import type { Queryable } from '../../db/driver';
import { pgColumnType, type FieldType } from './field-types';
import { qualified, quoteIdent } from '../sql-ident';
import { systemColumnsDDL } from './system-columns';

/**
 * DDL for record tables exactly as Part A §10.3 lays them out. Every statement is idempotent
 * (IF NOT EXISTS) so two nodes migrating the same field do not fail each other.
 */
export async function createRecordTable(q: Queryable, schema: string, type: string): Promise<void> {
  await q.query(
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, type)} (
       ${systemColumnsDDL()},
       PRIMARY KEY (_id, _database_id, _owner_id),
       UNIQUE (_id))`,
  );
}

export async function addRecordColumn(q: Queryable, schema: string, type: string, field: string, fieldType: FieldType): Promise<void> {
  const constraint = foreignKeyClause(schema, field, fieldType);
  await q.query(
    `ALTER TABLE ${qualified(schema, type)} ADD COLUMN IF NOT EXISTS ${quoteIdent(field)} ${pgColumnType(fieldType)}${constraint}`,
  );
}

function foreignKeyClause(schema: string, field: string, t: FieldType): string {
  if (t.type === 'ref') {
    return ` CONSTRAINT ${quoteIdent(`fk_${field}_${t.target}__id`)} REFERENCES ${qualified(schema, t.target)} (_id)`;
  }
  if (t.type === 'asset') return ` CONSTRAINT ${quoteIdent(`fk_${field}__asset_id`)} REFERENCES ${qualified(schema, '_asset')} (id)`;
  return '';
}

export async function renameRecordColumn(q: Queryable, schema: string, type: string, from: string, to: string): Promise<void> {
  await q.query(`ALTER TABLE ${qualified(schema, type)} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`);
}

export async function dropRecordColumn(q: Queryable, schema: string, type: string, field: string): Promise<void> {
  await q.query(`ALTER TABLE ${qualified(schema, type)} DROP COLUMN ${quoteIdent(field)}`);
}

/** Serialises DDL between server processes on PostgreSQL (PGlite has one session). Call inside a transaction. */
export async function lockSchemaChanges(q: Queryable, schema: string, kind: 'pglite' | 'postgres'): Promise<void> {
  if (kind === 'postgres') await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`skygear-ddl:${schema}`]);
}
