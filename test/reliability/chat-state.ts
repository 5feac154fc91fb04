import type { Queryable } from '../../src/server/db/driver';

/**
 * Every row of every table the chat touches, as canonical JSON, so a test can prove a refused
 * request changed nothing (`expect(await chatSnapshot(db)).toEqual(before)`).
 */
const TABLES: Array<[string, string]> = [
  ['conversation', 'SELECT * FROM conversation ORDER BY _id'],
  ['message', 'SELECT * FROM message ORDER BY _id'],
  ['user_conversation', 'SELECT * FROM user_conversation ORDER BY _id'],
  ['receipt', 'SELECT * FROM receipt ORDER BY _id'],
  ['_role', `SELECT id FROM _role WHERE id LIKE 'conversation-%' ORDER BY id`],
  ['_auth_role', `SELECT auth_id, role_id FROM _auth_role WHERE role_id LIKE 'conversation-%' ORDER BY role_id, auth_id`],
];

export type ChatSnapshot = Record<string, string[]>;

export async function chatSnapshot(db: Queryable): Promise<ChatSnapshot> {
  const out: ChatSnapshot = {};
  for (const [name, sql] of TABLES) {
    const res = await db.query<Record<string, unknown>>(sql);
    out[name] = res.rows.map((row) => JSON.stringify(row, (_k, v) => (v instanceof Date ? v.toISOString() : v)));
  }
  return out;
}

/** The rows that differ between two snapshots (for a readable failure). */
export function snapshotDiff(before: ChatSnapshot, after: ChatSnapshot): string[] {
  const diff: string[] = [];
  for (const table of Object.keys(before)) {
    const a = new Set(before[table]);
    const b = new Set(after[table] ?? []);
    for (const row of a) if (!b.has(row)) diff.push(`${table} - ${row}`);
    for (const row of b) if (!a.has(row)) diff.push(`${table} + ${row}`);
  }
  return diff;
}
