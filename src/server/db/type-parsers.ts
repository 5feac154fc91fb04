/**
 * Both drivers decode column values the same way, so code above them never branches on the driver:
 * `timestamp without time zone` holds UTC (Skygear's convention) and becomes a Date in UTC;
 * bigint (counts, sequences) becomes a JS number.
 */
export const TIMESTAMP_OID = 1114;
export const INT8_OID = 20;

export const parseUtcTimestamp = (value: string): Date => new Date(value.replace(' ', 'T') + 'Z');
export const parseInt8 = (value: string): number => Number(value);
