
import path from 'node:path';
import { closeAllClients } from '../support/client';
import { type ServerOnSkygearNode, type SkygearNode, startServerOnSkygearNode } from '../support/skygear-node';
import type { TestServer } from '../support/server';
import { checkInvariants } from './invariants';
import { type ChatUser, bareId, eventually, recordEventOf, signupUsers, subscribeFeed } from './support';

/**
 * Smoke test under the REAL skygear-node runtime (skygear 1.7.2 `bin.js`): the plugin, unchanged,
 * is loaded by skygear-node (LOAD_MODULES) and reached by our server over the plugin HTTP transport.
 * skygear-node talks to PostgreSQL over TCP, so this test always uses PostgreSQL, also in the PGlite
 * run of the suite.
 */
const PLUGIN_ENTRY = path.resolve(__dirname, '../../src/plugin/index.ts');

describe('the chat plugin under skygear-node (PostgreSQL)', () => {
  let pair: ServerOnSkygearNode;
  let runtime: SkygearNode;
  let server: TestServer;

  beforeAll(async () => {
    pair = await startServerOnSkygearNode({ module: PLUGIN_ENTRY, typescript: true });
    ({ runtime, server } = pair);
  }, 120_000);

  afterAll(async () => {
    closeAllClients();
    await pair?.close();
  });

  test('create a conversation, send, mark read, total_unread — and the realtime event', async () => {
    let alice: ChatUser, bob: ChatUser;
    try {
      [alice, bob] = await signupUsers(server, 2, 'node');
      const feed = await subscribeFeed(bob);
      const cid = await alice.createConversation([bob], 'over skygear-node');
      const mid = await alice.send(cid, 'hello from node');
      await feed.waitFor(recordEventOf('create', 'message', mid), 'the message event published by skygear-node', 20_000);
      const unread = await eventually(async () => {
        const total = await bob.call('chat:total_unread');
        return total.message === 1 ? total : null;
      }, 'the unread count');
      expect(unread).toEqual({ conversation: 1, message: 1 });
      const page = await bob.call('chat:get_messages', [cid, 10]);
      expect(page.results.map((m: any) => bareId(m._id))).toEqual([mid]);
      await bob.call('chat:mark_as_read', [[mid]]);
      expect(await bob.call('chat:total_unread')).toEqual({ conversation: 0, message: 0 });
      const [message] = (await alice.call('chat:get_messages', [cid, 1])).results;
      expect(message.conversation_status).toBe('all_read');
      await checkInvariants(server.db);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- skygear-node output ---\n${runtime.output()}`);
    }
  }, 120_000);
});
