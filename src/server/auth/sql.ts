import { qualified } from '../store/sql-ident';

/**
 * SQL fragments shared by the auth code. Timestamps are `timestamp without time zone` holding UTC
 * (Part A §10.2), so "now" is written in UTC whatever the session's TimeZone is.
 */
export const NOW_UTC = "(now() AT TIME ZONE 'UTC')";

/** `"app_x"."_auth"` etc. */
export const table = (schema: string, name: string): string => qualified(schema, name);
