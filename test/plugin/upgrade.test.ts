
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDriver } from '../../src/server/db/open';
import { sdkUser } from '../clients/sdk-users';
import { closeAllClients } from '../support/client';
import { isPostgres, testDatabaseUrl, uniqueAppName } from '../support/database';
import type { TestServer } from '../support/server';
import { checkInvariants } from './invariants';
import { bareId, eventually, signupUsers, startChatServer } from './support';

/**
 * The upgrade path (issue 14): a database written by the previous version — messages with only
 * `conversation_id`/`conversation_status`, receipts with only `user_id`/`message_id`, no history, and
 * what that version let a 1.x SDK leave behind (an empty auto-created `message.conversation` column, a
 * conversation `meta` column holding the metadata the user meant to set) — gets the 1.x names when
 * the new version starts, with no manual step; seed-era clients and the SDK then both work on it.
 *
 * The previous layout is made from the current one by dropping what this version added, on the same
 * data, between two server runs on one database (a directory for PGlite, one schema on PostgreSQL).
 */
let dir: string | undefined;
const appName = uniqueAppName();
let env: Record<string, string>;

beforeAll(async () => {
  if (isPostgres()) env = { APP_NAME: appName, DATABASE_URL: testDatabaseUrl() };
  else {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'chat-upgrade-'));
    env = { APP_NAME: appName, DATABASE_URL: dir };
  }
});

afterAll(async () => {
  closeAllClients();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
  if (isPostgres()) {
    const admin = await openDriver(testDatabaseUrl(), 'public');
    await admin.query(`DROP SCHEMA IF EXISTS "app_${appName}" CASCADE`).catch(() => undefined);
    await admin.close();
  }
});

/** What the previous version's schema did not have, dropped; and what its users left behind. */
async function downgrade(server: TestServer, conversationId: string): Promise<void> {
  const q = (sql: string, params?: unknown[]) => server.db.query(sql, params);
  await q(`DROP TABLE message_history`);
  await q(`DROP TABLE _chat_migration`);
  await q(`DROP INDEX message_deleted_idx`);
  await q(`ALTER TABLE message DROP COLUMN conversation, DROP COLUMN message_status, DROP COLUMN revision, DROP COLUMN edited_at, DROP COLUMN edited_by`);
  await q(`ALTER TABLE receipt DROP COLUMN "user", DROP COLUMN message`);
  // A 1.x SDK's refused send left an empty `conversation` column (the server added it, as a ref,
  // before the plugin's hook refused the save); its updateConversation stored `meta` as a field.
  await q(`ALTER TABLE message ADD COLUMN conversation text CONSTRAINT fk_conversation_conversation__id REFERENCES conversation (_id)`);
  await q(`UPDATE conversation SET meta = $2::jsonb WHERE _id = $1`, [conversationId, JSON.stringify({ theme: 'dark' })]);
}

test('a database of the previous version gets the 1.x names at start-up; both client generations work on it', async () => {
  const before = await startChatServer({ env, keepSchema: true });
  let conversationId: string;
  let messages: string[];
  let aliceName: string;
  let bobName: string;
  try {
    const [alice, bob] = await signupUsers(before, 2, 'old');
    [aliceName, bobName] = [alice.name, bob.name];
    conversationId = await alice.createConversation([bob], 'Before the upgrade');
    messages = [await alice.send(conversationId, 'one'), await bob.send(conversationId, 'two'), await alice.send(conversationId, 'three')];
    await bob.call('chat:mark_as_read', [[messages[0]]]);
    await downgrade(before, conversationId);
    const old = await before.db.query(`SELECT count(*)::int AS n FROM message WHERE conversation IS NULL`);
    expect(old.rows[0].n).toBe(3);
    closeAllClients();
  } finally {
    await before.close();
  }

  const after = await startChatServer({ env });
  try {
    const q = (sql: string, params?: unknown[]) => after.db.query(sql, params);
    const rows = await q(`SELECT _id, conversation, conversation_id, message_status, conversation_status, revision FROM message ORDER BY seq`);
    expect(rows.rows.map((r) => [r._id, r.conversation, r.message_status, r.revision])).toEqual([
      [messages![0], conversationId!, 'all_read', 1],
      [messages![1], conversationId!, 'delivered', 1],
      [messages![2], conversationId!, 'delivered', 1],
    ]);
    const receipts = await q(`SELECT "user", user_id, message, message_id FROM receipt`);
    expect(receipts.rows.length).toBeGreaterThan(0);
    for (const r of receipts.rows) expect([r.user, r.message]).toEqual([r.user_id, r.message_id]);
    const conversation = await q(`SELECT metadata, meta FROM conversation WHERE _id = $1`, [conversationId!]);
    expect(conversation.rows[0]).toEqual({ metadata: { theme: 'dark' }, meta: null });
    await checkInvariants(after.db);

    // The same users, logged in again: the seed-era client sends and reads as before…
    const { newClient } = await import('../support/client');
    const seedClient = await newClient(after);
    await seedClient.auth.loginWithUsername(bobName!, `${bobName!}-password`);
    const skygear = seedClient;
    const Message = skygear.Record.extend('message');
    await skygear.publicDB.save(new Message({ body: 'four', conversation_id: new skygear.Reference(`conversation/${conversationId!}`) }));
    const page = await seedClient.lambda('chat:get_messages', [conversationId!, 10]);
    expect(page.results.map((m: any) => m.body)).toEqual(['four', 'three', 'two', 'one']);
    expect(page.results.every((m: any) => m.conversation_id.id === `conversation/${conversationId!}`)).toBe(true);

    // …and the 1.7 SDK reads the old messages under its names, edits one and deletes another.
    const sdk = await sdkUser(after, 'skygear-chat', 'new');
    await seedClient.lambda('chat:add_participants', [conversationId!, [sdk.id]]).catch(() => undefined); // bob is no admin: refused
    const admin = await newClient(after);
    await admin.auth.loginWithUsername(aliceName!, `${aliceName!}-password`);
    await admin.lambda('chat:add_admins', [conversationId!, [sdk.id]]);
    const conv = await sdk.chat.getConversation(conversationId!);
    const history = await sdk.chat.getMessages(conv, 10);
    expect(history.map((m: any) => bareId(m._id))).toEqual([expect.any(String), ...[...messages!].reverse()]);
    expect(history.every((m: any) => m.conversation.id === `conversation/${conversationId!}`)).toBe(true);
    expect(history.find((m: any) => bareId(m._id) === messages![0]).message_status).toBe('all_read');
    // (getMessages marks the page delivered without waiting: let that finish before the server stops.)
    await eventually(async () => (await q(`SELECT count(*)::int AS n FROM receipt WHERE user_id = $1 AND delivered_at IS NOT NULL`, [sdk.id])).rows[0].n === 4, 'delivered');
    const oldOne = new admin.Record('message', (await admin.lambda('chat:get_messages', [conversationId!, 10])).results.find((m: any) => bareId(m._id) === messages![2]));
    oldOne.body = 'three, edited after the upgrade';
    await admin.publicDB.save(oldOne);
    await sdk.chat.deleteMessage(history.find((m: any) => bareId(m._id) === messages![1]));
    const [edited] = await q(`SELECT body, revision FROM message WHERE _id = $1`, [messages![2]]).then((r) => r.rows);
    expect(edited).toEqual({ body: 'three, edited after the upgrade', revision: 2 });
    sdk.close();
    await checkInvariants(after.db);
  } finally {
    closeAllClients();
    await after.close();
  }
});
