
import { ensureChatSchema } from '../../src/plugin/schema';
import type { SqlPool } from '../../src/plugin/sql';
import type { Driver } from '../../src/server/db/driver';
import { callAction } from '../support/http';
import { TEST_MASTER_KEY, type TestServer } from '../support/server';
import { startChatServer } from './support';

/**
 * The chat schema as the server sees it: ordinary Skygear record types (the server's own
 * introspection, schema:fetch), foreign keys named as Go names them, and a set-up that is idempotent
 * and safe to run twice at once.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  await server?.close();
});

/** The server's driver as the plugin's SqlPool (connect() gives a dedicated session). */
function poolOf(db: Driver): SqlPool {
  return {
    query: (text, params) => db.query(text, params) as any,
    connect: async () => {
      const session = await db.connect();
      return { query: (text: string, params?: unknown[]) => session.query(text, params) as any, release: () => session.release() };
    },
  };
}

test('schema:fetch reports the chat types with Skygear field types', async () => {
  const res = await callAction(server, 'schema:fetch', {}, { apiKey: TEST_MASTER_KEY });
  const types = res.json.result.record_types;
  const fields = (type: string) => Object.fromEntries(types[type].fields.map((f: any) => [f.name, f.type]));
  expect(fields('conversation')).toMatchObject({
    title: 'string',
    admin_ids: 'json',
    participant_ids: 'json',
    participant_count: 'integer',
    distinct_by_participants: 'boolean',
    metadata: 'json',
    last_message: 'ref(message)',
    last_message_at: 'datetime',
  });
  expect(fields('message')).toMatchObject({
    body: 'string',
    conversation_status: 'string',
    attachment: 'asset',
    metadata: 'json',
    conversation_id: 'ref(conversation)',
    deleted: 'boolean',
  });
  expect(['sequence', 'integer']).toContain(fields('message').seq);
  expect(fields('user_conversation')).toMatchObject({
    unread_count: 'integer',
    last_read_message: 'ref(message)',
    user: 'ref(user)',
    conversation: 'ref(conversation)',
  });
  expect(fields('receipt')).toMatchObject({ read_at: 'datetime', delivered_at: 'datetime', user_id: 'ref(user)', message_id: 'ref(message)' });
  expect(fields('user_channel')).toMatchObject({ name: 'string' });
  expect(fields('user')).toMatchObject({ name: 'string' });
});

test('record tables have the Skygear keys and Go-named foreign keys', async () => {
  const fks = await server.db.query<{ conname: string; table: string }>(
    `SELECT con.conname, c.relname AS table FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND con.contype = 'f' ORDER BY 2, 1`,
    [server.schema],
  );
  const names = fks.rows.map((r) => `${r.table}.${r.conname}`);
  expect(names).toEqual(
    expect.arrayContaining([
      'conversation.fk_last_message_message__id',
      'message.fk_conversation_id_conversation__id',
      'message.fk_attachment__asset_id',
      'user_conversation.fk_user_user__id',
      'user_conversation.fk_conversation_conversation__id',
      'user_conversation.fk_last_read_message_message__id',
      'receipt.fk_user_id_user__id',
      'receipt.fk_message_id_message__id',
    ]),
  );
  for (const table of ['conversation', 'message', 'user_conversation', 'receipt', 'user_channel']) {
    const pk = await server.db.query(
      `SELECT pg_get_constraintdef(con.oid) AS def FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND con.contype IN ('p', 'u')`,
      [server.schema, table],
    );
    const defs = pk.rows.map((r) => r.def);
    expect(defs).toContain('PRIMARY KEY (_id, _database_id, _owner_id)');
    expect(defs).toContain('UNIQUE (_id)');
  }
});

test('set-up is idempotent, also when two nodes run it at once, and completes an older database', async () => {
  const pool = poolOf(server.db);
  await Promise.all([ensureChatSchema(pool), ensureChatSchema(pool)]);
  // An old database: a user_channel table the server auto-created, with duplicates, and a missing column.
  await server.db.query(`DROP INDEX user_channel_owner_key`);
  await server.db.query(`ALTER TABLE conversation DROP COLUMN last_message_at`);
  await server.db.query(
    `INSERT INTO user_channel (_id, _database_id, _owner_id, _access, _created_at, _updated_at, name) VALUES
       ('c1', 'u1', 'u1', '[]', '2020-01-01', '2020-01-01', 'old'), ('c2', 'u1', 'u1', '[]', '2020-01-02', '2020-01-02', 'new')`,
  );
  await ensureChatSchema(pool);
  const channels = await server.db.query(`SELECT _id FROM user_channel WHERE _owner_id = 'u1'`);
  expect(channels.rows).toEqual([{ _id: 'c1' }]); // the oldest is kept (1.7's de-duplication)
  const column = await server.db.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'conversation' AND column_name = 'last_message_at'`, [server.schema]);
  expect(column.rows).toHaveLength(1);
  await expect(
    server.db.query(`INSERT INTO user_channel (_id, _database_id, _owner_id, _created_at, _updated_at, name) VALUES ('c3', 'u1', 'u1', now(), now(), 'dup')`),
  ).rejects.toThrow();
});
