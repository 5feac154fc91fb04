/**
 * Both drivers decode column values the same way, so code above them never branches on the driver:
 * `timestamp without time zone` holds UTC (Skygear's convention) and becomes a Date in UTC;
 * bigint (counts, sequences) becomes a JS number.
 */
export const TIMESTAMP_OID = 1114;
export const INT8_OID = 20;

/**
 * PostgreSQL's text form `YYYY-MM-DD HH:MM:SS[.f…]` read digit by digit (every row carries two or
 * three of these, and the string-rewriting parse was a visible share of a page's garbage); any
 * other form (years before 1000 or past 9999, BC, infinity) goes through the Date parser. Fractions
 * beyond milliseconds are truncated, as the Date parser does.
 */
export function parseUtcTimestamp(value: string): Date {
  const n = value.length;
  if (n >= 19 && n <= 26 && value.charCodeAt(4) === 45 && value.charCodeAt(10) === 32 && (n === 19 || value.charCodeAt(19) === 46)) {
    const year = digits(value, 0, 4);
    const ms = n === 19 ? 0 : fraction(value, 20, n);
    const time = Date.UTC(year, digits(value, 5, 7) - 1, digits(value, 8, 10), digits(value, 11, 13), digits(value, 14, 16), digits(value, 17, 19), ms);
    if (year >= 1000 && !Number.isNaN(time)) return new Date(time);
  }
  return parseWithDateParser(value);
}

export const parseWithDateParser = (value: string): Date => new Date(value.replace(' ', 'T') + 'Z');

/** The decimal number in value[from, to), or NaN if any character there is not a digit. */
function digits(value: string, from: number, to: number): number {
  let out = 0;
  for (let i = from; i < to; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    out = out * 10 + d;
  }
  return out;
}

/** Milliseconds of the fraction digits value[from, to): the first three, zero-padded. */
function fraction(value: string, from: number, to: number): number {
  const end = Math.min(to, from + 3);
  let ms = digits(value, from, end);
  for (let i = end - from; i < 3; i++) ms *= 10;
  return to > end && Number.isNaN(digits(value, end, to)) ? NaN : ms;
}
export const parseInt8 = (value: string): number => Number(value);
