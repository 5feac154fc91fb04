import type { Queryable } from './sql';

/**
 * Data migrations of the chat tables, run once per database at start-up (inside ensureChatSchema's
 * transaction and advisory lock, after every column exists). Each one is recorded by name in
 * `_chat_migration` (a table the server does not show as a record type, since its name starts with
 * `_`), so it runs exactly once even though several nodes may start together.
 *
 * Why a record of what ran instead of "backfill when the column is added": a database used with an
 * earlier version may already have had `message.conversation` auto-created by the server when a 1.x
 * SDK tried to send (the save was refused, the column stayed), so the column's existence says nothing
 * about its rows.
 */
interface Migration {
  name: string;
  statements: string[];
}

const MIGRATIONS: Migration[] = [
  {
    // chat-api.md §6: rows written by earlier versions carry only the seed names. Copy them to the
    // 1.x names (and the reverse, for rows of a database the original 1.x plugin wrote).
    name: '2026-12-1x-field-names',
    statements: [
      `UPDATE message SET conversation = conversation_id WHERE conversation IS NULL AND conversation_id IS NOT NULL`,
      `UPDATE message SET conversation_id = conversation WHERE conversation_id IS NULL AND conversation IS NOT NULL`,
      `UPDATE message SET message_status = conversation_status
        WHERE conversation_status IS NOT NULL AND message_status IS DISTINCT FROM conversation_status`,
      `UPDATE message SET conversation_status = message_status WHERE conversation_status IS NULL AND message_status IS NOT NULL`,
      `UPDATE receipt SET "user" = COALESCE("user", user_id), message = COALESCE(message, message_id)
        WHERE ("user" IS NULL AND user_id IS NOT NULL) OR (message IS NULL AND message_id IS NOT NULL)`,
      // Earlier versions stored the SDK's updateConversation `meta` as a field of its own, so the
      // metadata the user meant to set never changed: it becomes the metadata now.
      `UPDATE conversation SET metadata = meta, meta = NULL WHERE meta IS NOT NULL`,
    ],
  },
];

export async function runMigrations(q: Queryable): Promise<string[]> {
  await q.query(`CREATE TABLE IF NOT EXISTS _chat_migration (name text PRIMARY KEY, applied_at timestamp without time zone NOT NULL)`);
  const done = new Set((await q.query<{ name: string }>(`SELECT name FROM _chat_migration`)).rows.map((r) => r.name));
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.name)) continue;
    for (const sql of migration.statements) await q.query(sql);
    await q.query(`INSERT INTO _chat_migration (name, applied_at) VALUES ($1, now() AT TIME ZONE 'UTC')`, [migration.name]);
    applied.push(migration.name);
  }
  return applied;
}
