export type ByteRange = { start: number; end: number };

/**
 * A single `Range: bytes=…` header against a file of `size` bytes: `a-b`, `a-` or `-n` (suffix).
 * Returns null to serve the whole file (no header, several ranges, or a form we do not parse) and
 * 'unsatisfiable' when the start lies beyond the end (→ 416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return 'unsatisfiable';
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (end < start) return null;
  return { start, end };
}
