/**
 * Timestamps on the wire are RFC3339Nano UTC (Part A §4.1); the DB keeps `timestamp without time zone`
 * in UTC with µs. Reads go through `to_char` so the µs survive (a JS Date keeps only ms).
 */
export const PG_TIMESTAMP_TEXT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US';

/** to_char output → Go's RFC3339Nano: fraction without trailing zeros, 'Z' suffix. */
export function rfc3339FromPgText(text: string): string {
  const [whole, fraction = ''] = text.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole}${trimmed ? `.${trimmed}` : ''}Z`;
}

export function rfc3339FromDate(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}

/** RFC3339 with optional fraction and a zone (Z or ±hh:mm); the only form `$date` accepts. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})$/;

export function isRfc3339(value: string): boolean {
  return RFC3339.test(value) && !Number.isNaN(Date.parse(value.replace(/(\.\d{3})\d+/, '$1')));
}

/** SQL that turns a bound RFC3339 string into a UTC `timestamp without time zone`, keeping µs. */
export const utcTimestampSql = (placeholder: string): string => `(${placeholder}::timestamptz AT TIME ZONE 'UTC')`;
