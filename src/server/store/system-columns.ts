/**
 * The system columns every record table has (Part A §10.3). They are never data fields: saves drop
 * incoming `_`-keys except `_id`/`_access`, and schema listings omit them.
 */
export const SYSTEM_COLUMNS = [
  '_id',
  '_database_id',
  '_owner_id',
  '_access',
  '_created_at',
  '_created_by',
  '_updated_at',
  '_updated_by',
] as const;

export function systemColumnsDDL(): string {
  return [
    '_id text NOT NULL',
    '_database_id text NOT NULL',
    '_owner_id text NOT NULL',
    '_access jsonb',
    '_created_at timestamp without time zone NOT NULL',
    '_created_by text',
    '_updated_at timestamp without time zone NOT NULL',
    '_updated_by text',
  ].join(',\n       ');
}
