import { runMigrations } from './migrations';
import { HostTables, RECORD_TABLE_KEYS, SYSTEM_COLUMN_SPECS, foreignKeyName, quoteIdentifier as q } from '../protocol/host-tables';
import { type Queryable, type SqlPool, withTransaction } from './sql';

/**
 * The chat record types, created at start-up in Skygear's own PostgreSQL layout (protocol Part A
 * §10.3) so the server's type introspection sees ordinary record types: system columns, ref columns as
 * text + FK named `fk_<col>_<T>__id`, assets as text + FK `fk_<col>__asset_id`, json = jsonb,
 * number = double precision, counters integer, datetime = timestamp.
 *
 * Idempotent and additive: an older database (or a table the server auto-created from a client save,
 * e.g. user_channel) gets only what it lacks. Several nodes may start at once: the whole run holds a
 * transaction-scoped advisory lock, so only one of them changes the catalog at a time.
 */
interface Column {
  name: string;
  type: string;
  /** Referenced record type (ref) or HostTables.asset (asset). */
  references?: string;
}

interface Table {
  name: string;
  columns: Column[];
  /** Extra statements (indexes) as [name, SQL]; run when no relation of that name exists. */
  indexes: Array<[string, string]>;
}

const ref = (name: string, target: string): Column => ({ name, type: 'text', references: target });

export const CHAT_TABLES: Table[] = [
  {
    name: 'conversation',
    columns: [
      { name: 'title', type: 'text' },
      { name: 'admin_ids', type: 'jsonb' },
      { name: 'participant_ids', type: 'jsonb' },
      { name: 'participant_count', type: 'integer' },
      { name: 'distinct_by_participants', type: 'boolean' },
      { name: 'metadata', type: 'jsonb' },
      // last_message references message, which is created after this table (circular refs).
      { name: 'last_message_at', type: 'timestamp without time zone' },
      { name: 'distinct_key', type: 'text' },
      { name: 'deleted', type: 'boolean' },
      // The 1.x SDK's updateConversation writes `meta`; the hook moves it into `metadata` and leaves
      // this column NULL. It exists so that save also works when DEV_MODE is off (no auto-columns).
      { name: 'meta', type: 'jsonb' },
    ],
    indexes: [
      // The race-free distinct guard: at most one live distinct conversation per participant set.
      ['conversation_distinct_key_uniq', 'CREATE UNIQUE INDEX conversation_distinct_key_uniq ON conversation (distinct_key) WHERE distinct_key IS NOT NULL'],
    ],
  },
  {
    name: 'message',
    columns: [
      { name: 'body', type: 'text' },
      { name: 'conversation_status', type: 'text' },
      { name: 'attachment', type: 'text', references: HostTables.asset },
      { name: 'metadata', type: 'jsonb' },
      ref('conversation_id', 'conversation'),
      // Stable order (commit order within a conversation, see message-send.ts) and the unread cursor.
      { name: 'seq', type: 'bigserial' },
      { name: 'deleted', type: 'boolean NOT NULL DEFAULT false' },
      // The 1.x names of conversation_id and conversation_status (chat-api.md §6): always equal.
      ref('conversation', 'conversation'),
      { name: 'message_status', type: 'text' },
      // Edits (message-edit.ts): revision 1 for a message never edited.
      { name: 'revision', type: 'integer NOT NULL DEFAULT 1' },
      { name: 'edited_at', type: 'timestamp without time zone' },
      ref('edited_by', 'user'),
    ],
    indexes: [
      ['message_seq_key', 'CREATE UNIQUE INDEX message_seq_key ON message (seq)'],
      ['message_conversation_seq_idx', 'CREATE INDEX message_conversation_seq_idx ON message (conversation_id, seq)'],
      // get_messages' `deleted` array: the few deleted messages of a page's window, without a scan.
      ['message_deleted_idx', 'CREATE INDEX message_deleted_idx ON message (conversation_id, seq) WHERE deleted'],
    ],
  },
  {
    // One row per replaced version of an edited message (1.7's message_history), readable by the
    // conversation's participants; `parent` is the message. A delete clears their content too.
    name: 'message_history',
    columns: [
      ref('parent', 'message'),
      { name: 'revision', type: 'integer' },
      { name: 'body', type: 'text' },
      { name: 'metadata', type: 'jsonb' },
      { name: 'attachment', type: 'text', references: HostTables.asset },
      ref('conversation_id', 'conversation'),
      ref('conversation', 'conversation'),
      { name: 'conversation_status', type: 'text' },
      { name: 'message_status', type: 'text' },
      { name: 'edited_at', type: 'timestamp without time zone' },
      ref('edited_by', 'user'),
    ],
    indexes: [['message_history_parent_idx', 'CREATE INDEX message_history_parent_idx ON message_history (parent, revision)']],
  },
  {
    name: 'user_conversation',
    columns: [
      { name: 'unread_count', type: 'integer NOT NULL DEFAULT 0' },
      ref('last_read_message', 'message'),
      ref('user', 'user'),
      ref('conversation', 'conversation'),
      // The conversation's newest seq when the user joined: older messages never count for them.
      { name: 'joined_seq', type: 'bigint NOT NULL DEFAULT 0' },
    ],
    indexes: [
      ['user_conversation_conversation_user_key', 'CREATE UNIQUE INDEX user_conversation_conversation_user_key ON user_conversation (conversation, "user")'],
      ['user_conversation_user_idx', 'CREATE INDEX user_conversation_user_idx ON user_conversation ("user")'],
    ],
  },
  {
    name: 'receipt',
    columns: [
      { name: 'read_at', type: 'timestamp without time zone' },
      { name: 'delivered_at', type: 'timestamp without time zone' },
      ref('user_id', 'user'),
      ref('message_id', 'message'),
      // The 1.x names (chat-api.md §6): always equal to user_id / message_id.
      ref('user', 'user'),
      ref('message', 'message'),
    ],
    indexes: [['receipt_message_user_key', 'CREATE UNIQUE INDEX receipt_message_user_key ON receipt (message_id, user_id)']],
  },
  {
    name: 'user_channel',
    columns: [{ name: 'name', type: 'text' }],
    // One channel per user (1.6.3's fix for duplicated channels, E5); duplicates are removed first.
    indexes: [['user_channel_owner_key', 'CREATE UNIQUE INDEX user_channel_owner_key ON user_channel (_owner_id)']],
  },
];

/** Columns added to tables the server owns. The seed data model has `user.name`. */
const EXTRA_COLUMNS: Array<{ table: string; column: Column }> = [{ table: 'user', column: { name: 'name', type: 'text' } }];

/** The FK added after both tables exist: conversation.last_message → message. */
const LATE_REFS: Array<{ table: string; column: Column }> = [{ table: 'conversation', column: ref('last_message', 'message') }];

export async function ensureChatSchema(pool: SqlPool): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('skygear-chat-schema:' || current_schema()))");
    const existing = await existingColumns(client);
    for (const table of CHAT_TABLES) {
      if (!existing.has(table.name)) await createTable(client, table);
      else for (const column of table.columns) await addColumnIfMissing(client, existing, table.name, column);
    }
    for (const { table, column } of EXTRA_COLUMNS) if (existing.has(table)) await addColumnIfMissing(client, existing, table, column);
    for (const { table, column } of LATE_REFS) await addColumnIfMissing(client, existing, table, column);
    await ensureForeignKeys(client);
    await client.query(
      `DELETE FROM user_channel c WHERE EXISTS (
         SELECT 1 FROM user_channel o WHERE o._owner_id = c._owner_id AND (o._created_at, o._id) < (c._created_at, c._id))`,
    );
    const relations = await existingRelations(client);
    for (const table of CHAT_TABLES) for (const [name, sql] of table.indexes) if (!relations.has(name)) await client.query(sql);
    await ensureRecordConstraints(client);
    await runMigrations(client);
  });
}

async function existingColumns(client: Queryable): Promise<Map<string, Set<string>>> {
  const res = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const out = new Map<string, Set<string>>();
  for (const row of res.rows) {
    if (!out.has(row.table_name)) out.set(row.table_name, new Set());
    out.get(row.table_name)!.add(row.column_name);
  }
  return out;
}

async function existingRelations(client: Queryable): Promise<Set<string>> {
  const res = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()`,
  );
  return new Set(res.rows.map((r) => r.relname));
}

async function createTable(client: Queryable, table: Table): Promise<void> {
  const columns = [...SYSTEM_COLUMN_SPECS, ...table.columns].map((c) => `${q(c.name)} ${c.type}`);
  await client.query(`CREATE TABLE ${q(table.name)} (${columns.join(', ')}, ${RECORD_TABLE_KEYS})`);
}

async function addColumnIfMissing(client: Queryable, existing: Map<string, Set<string>>, table: string, column: Column): Promise<void> {
  if (existing.get(table)?.has(column.name)) return;
  await client.query(`ALTER TABLE ${q(table)} ADD COLUMN ${q(column.name)} ${column.type}`);
  if (!existing.has(table)) existing.set(table, new Set());
  existing.get(table)!.add(column.name);
}

/** FK constraints named as the Go server names them, added when missing. */
async function ensureForeignKeys(client: Queryable): Promise<void> {
  const res = await client.query<{ conname: string }>(
    `SELECT con.conname FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
      WHERE n.nspname = current_schema() AND con.contype = 'f'`,
  );
  const present = new Set(res.rows.map((r) => r.conname));
  const all = [...CHAT_TABLES.flatMap((t) => t.columns.map((column) => ({ table: t.name, column }))), ...LATE_REFS];
  for (const { table, column } of all) {
    if (!column.references) continue;
    const name = foreignKeyName(column.name, column.references);
    if (present.has(name)) continue;
    const target = column.references === HostTables.asset ? `${HostTables.asset}(id)` : `${q(column.references)}(_id)`;
    await client.query(`ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(name)} FOREIGN KEY (${q(column.name)}) REFERENCES ${target}`);
  }
}

/**
 * A table the server auto-created from a client save may lack the record-table keys (it should not,
 * but an old database might): add PRIMARY KEY / UNIQUE(_id) when the table has neither.
 */
async function ensureRecordConstraints(client: Queryable): Promise<void> {
  for (const table of CHAT_TABLES) {
    const res = await client.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_namespace ns ON ns.oid = c.relnamespace
        WHERE ns.nspname = current_schema() AND c.relname = $1 AND con.contype IN ('p', 'u')
          AND con.conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = c.oid AND attname = '_id')]::int2[]`,
      [table.name],
    );
    if (Number(res.rows[0]?.n ?? 0) === 0) await client.query(`ALTER TABLE ${q(table.name)} ADD UNIQUE (_id)`);
  }
}
