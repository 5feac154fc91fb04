import { quoteIdentifier } from '../../protocol/host-tables';

/** SQL identifier quoting: every table/column name is double-quoted, as Go does (Part A §10.1). */
export const quoteIdent = quoteIdentifier;

/** `"schema"."table"`. */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
