import type { Queryable } from '../db/driver';
import { bindSql, isWritable, type Decoded } from './codec/wire-values';
import type { Acl } from './codec/record-json';
import type { TableSchema } from './schema/schema-catalog';
import { qualified, quoteIdent } from './sql-ident';
import { utcTimestampSql } from './codec/timestamps';

/**
 * The row write of a save (Part A §10.4): UPDATE of the system columns that change plus the written
 * fields, or INSERT of a new row. `_owner_id`, `_created_at`, `_created_by` are never updated.
 */
export interface RowWrite {
  schema: string;
  type: string;
  key: string;
  databaseId: string;
  fields: Map<string, Decoded>;
  access: Acl;
  /** RFC3339 UTC. */
  now: string;
  userId: string;
}

type Assignments = Array<[column: string, sql: string]>;

function binder(values: unknown[]): (v: unknown) => string {
  return (v) => {
    values.push(v);
    return `$${values.length}`;
  };
}

function dataAssignments(fields: Map<string, Decoded>, add: (v: unknown) => string): Assignments {
  return [...fields].filter(([, v]) => isWritable(v)).map(([name, v]) => [name, bindSql(v, add)]);
}

const aclSql = (access: Acl, add: (v: unknown) => string) => `${add(access === null ? null : JSON.stringify(access))}::jsonb`;

/**
 * `returning` (a select list over the alias `t`, e.g. record-io's recordSelectList) makes the write
 * hand back the written row, saving the read-back round trip.
 */
export async function updateRow(q: Queryable, w: RowWrite, returning?: string): Promise<Record<string, unknown> | undefined> {
  const values: unknown[] = [];
  const add = binder(values);
  const sets: Assignments = [
    ['_access', aclSql(w.access, add)],
    ['_updated_at', utcTimestampSql(add(w.now))],
    ['_updated_by', add(w.userId)],
    ...dataAssignments(w.fields, add),
  ];
  const res = await q.query(
    `UPDATE ${qualified(w.schema, w.type)} AS t SET ${sets.map(([c, s]) => `${quoteIdent(c)} = ${s}`).join(', ')}
      WHERE t."_id" = ${add(w.key)} AND t."_database_id" = ${add(w.databaseId)}${returning ? ` RETURNING ${returning}` : ''}`,
    values,
  );
  return res.rows[0];
}

export async function insertRow(q: Queryable, w: RowWrite, returning?: string): Promise<Record<string, unknown> | undefined> {
  const values: unknown[] = [];
  const add = binder(values);
  const columns: Assignments = [
    ['_id', add(w.key)],
    ['_database_id', add(w.databaseId)],
    ['_owner_id', add(w.userId)],
    ['_access', aclSql(w.access, add)],
    ['_created_at', utcTimestampSql(add(w.now))],
    ['_created_by', add(w.userId)],
    ['_updated_at', utcTimestampSql(add(w.now))],
    ['_updated_by', add(w.userId)],
    ...dataAssignments(w.fields, add),
  ];
  const res = await q.query(
    `INSERT INTO ${qualified(w.schema, w.type)} AS t (${columns.map(([c]) => quoteIdent(c)).join(', ')})
     VALUES (${columns.map(([, s]) => s).join(', ')})${returning ? ` RETURNING ${returning}` : ''}`,
    values,
  );
  return res.rows[0];
}

/**
 * An explicit number written to a sequence column moves the sequence past it (§10.3) — forward only.
 * The sequence is never set back: other transactions may have taken values above every committed
 * row (nextval is not transactional), so setting it to the table's max could hand one of those
 * values out again (seen: a client re-saving a record with its unchanged sequence value made a
 * concurrent insert fail its unique key). A sequence never used yet starts past the table's max.
 */
export async function syncSequences(q: Queryable, w: RowWrite, table: TableSchema): Promise<void> {
  const tableSql = qualified(w.schema, w.type);
  for (const [name, value] of w.fields) {
    if (value.kind !== 'number' || table.fields.get(name)?.type !== 'sequence') continue;
    await q.query(
      `SELECT setval(s.seq, $3::bigint)
         FROM (SELECT pg_get_serial_sequence($1, $2)::regclass AS seq) s
        WHERE $3::bigint > COALESCE(pg_sequence_last_value(s.seq), (SELECT max(${quoteIdent(name)}) FROM ${tableSql}), 0)`,
      [tableSql, name, value.value],
    );
  }
}
