
/**
 * Scale-out: two real server nodes on the SAME PostgreSQL schema (same APP_NAME) sharing realtime
 * fan-out through Redis. A chat message saved through node A (record:save by the unmodified skygear
 * client) reaches a subscriber of the recipient's user_channel connected to node B.
 *
 * This suite needs PostgreSQL and Redis on every run (also the PGlite run): two processes cannot
 * share an in-memory PGlite, and cross-node fan-out is what Redis is for.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/server/core/config';
import { openDriver } from '../../src/server/db/open';
import { silentLogger } from '../../src/server/core/log';
import { createServer, type SkygearServer } from '../../src/server/server';
import { closeAllClients } from '../support/client';
import { startTestServer, type TestServer } from '../support/server';
import { type ChatUser, PLUGIN_PATH, recordEventOf, signupUsers, subscribeFeed } from '../plugin/support';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

let nodeA: TestServer;
let nodeB: SkygearServer;
let assetDirB: string;
const appName = `scale_${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  const env = { APP_NAME: appName, DATABASE_URL, REDIS_URL };
  nodeA = await startTestServer({ loadModules: [PLUGIN_PATH], env });
  // Node B: the same app (schema, keys, Redis prefix), its own HTTP port; started with createServer
  // directly because the harness would drop the shared schema when B closes.
  assetDirB = await fs.mkdtemp(path.join(os.tmpdir(), 'skygear-assets-b-'));
  nodeB = await createServer(
    loadConfig({
      ...env,
      API_KEY: nodeA.config.apiKey,
      MASTER_KEY: nodeA.config.masterKey,
      HOST: '127.0.0.1',
      PORT: '0',
      ASSET_STORE_PATH: assetDirB,
      ASSET_STORE_SECRET: 'test-asset-secret',
      LOG_LEVEL: 'silent',
      LOAD_MODULES: PLUGIN_PATH,
    }),
    { log: silentLogger },
  );
  await nodeB.listen();
}, 60_000);

afterAll(async () => {
  closeAllClients();
  await nodeB?.close();
  await nodeA?.close();
  // In the PGlite run the harness does not drop PostgreSQL schemas; this suite always uses PostgreSQL.
  const admin = await openDriver(DATABASE_URL, 'public');
  await admin.query(`DROP SCHEMA IF EXISTS "app_${appName}" CASCADE`).catch(() => undefined);
  await admin.close();
  if (assetDirB) await fs.rm(assetDirB, { recursive: true, force: true });
});

test('both nodes serve the same app from one schema', () => {
  expect(nodeB.schema).toBe(nodeA.schema);
  expect(nodeB.url).not.toBe(nodeA.url);
});

test('a message saved through node A reaches a user_channel subscriber on node B', async () => {
  // Alice talks to node A; Bob's client (and its pubsub websocket) is connected to node B.
  const [alice] = await signupUsers(nodeA, 1, 'alice');
  const [bob]: ChatUser[] = await signupUsers({ url: nodeB.url, config: nodeB.config } as TestServer, 1, 'bob');
  const bobFeed = await subscribeFeed(bob);

  const cid = await alice.createConversation([bob], 'across nodes');
  const mid = await alice.send(cid, 'hello from node A');

  const event = await bobFeed.waitFor(recordEventOf('create', 'message', mid), "bob's message event on node B");
  expect(event.data.record).toMatchObject({ body: 'hello from node A', _ownerID: alice.id });
  expect(event.data.record.conversation_id).toEqual({ $type: 'ref', $id: `conversation/${cid}` });

  // Exactly once: the Redis bus delivers to node B once, and node A has no subscriber for Bob.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(bobFeed.matching(recordEventOf('create', 'message', mid))).toHaveLength(1);

  // The data behind the event is the shared database's: Bob's unread count was raised on node A.
  const { rows } = await nodeB.db.query(`SELECT unread_count FROM user_conversation WHERE conversation = $1 AND "user" = $2`, [cid, bob.id]);
  expect(rows).toEqual([{ unread_count: 1 }]);
});
