/**
 * The database layout the host and the chat plugin share (skygear-protocol.md Part A §10): which
 * schema an app's tables live in, the columns every record table starts with, and the host's own
 * tables the plugin reads. The plugin names them through these constants, never as bare strings, so
 * a grep for a constant finds every reader of a host table.
 */

/** Skygear's schema name rule (Part A §10.1): app_<name>, lower-cased, '.' and ':' replaced by '_'. */
export const appSchemaName = (appName: string): string => `app_${appName.toLowerCase().replace(/[.:]/g, '_')}`;

/** SQL identifier quoting: every table/column name is double-quoted, as Go does (Part A §10.1). */
export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export interface ColumnSpec {
  name: string;
  /** The PostgreSQL type with its constraints, as written in CREATE TABLE. */
  type: string;
}

/**
 * The system columns every record table has (Part A §10.3), in table order. They are never data
 * fields: saves drop incoming `_`-keys except `_id`/`_access`, and schema listings omit them.
 */
export const SYSTEM_COLUMN_SPECS: readonly ColumnSpec[] = [
  { name: '_id', type: 'text NOT NULL' },
  { name: '_database_id', type: 'text NOT NULL' },
  { name: '_owner_id', type: 'text NOT NULL' },
  { name: '_access', type: 'jsonb' },
  { name: '_created_at', type: 'timestamp without time zone NOT NULL' },
  { name: '_created_by', type: 'text' },
  { name: '_updated_at', type: 'timestamp without time zone NOT NULL' },
  { name: '_updated_by', type: 'text' },
];

/** The system column names, in table order. */
export const SYSTEM_COLUMNS: readonly string[] = SYSTEM_COLUMN_SPECS.map((c) => c.name);

/** The keys every record table has after its columns: one row per id, whatever the database. */
export const RECORD_TABLE_KEYS = 'PRIMARY KEY (_id, _database_id, _owner_id), UNIQUE (_id)';

/**
 * The host's private tables (not record types) a plugin may read or, for roles, write:
 * - `_auth` (`id`): one row per user, the auth side of a `user` record;
 * - `_role` (`id`) and `_auth_role` (`auth_id`, `role_id`): roles and who has them, which the
 *   record ACL's `role` entries are checked against;
 * - `_asset` (`id`, `content_type`): uploaded files, which asset columns reference.
 */
export const HostTables = {
  auth: '_auth',
  role: '_role',
  authRole: '_auth_role',
  asset: '_asset',
} as const;

/** The name Skygear gives a column's foreign key: `fk_<col>_<type>__id`, or `fk_<col>__asset_id` for an asset. */
export const foreignKeyName = (column: string, target: string): string =>
  target === HostTables.asset ? `fk_${column}__asset_id` : `fk_${column}_${target}__id`;
