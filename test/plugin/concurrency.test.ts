
import { closeAllClients } from '../support/client';
import type { TestServer } from '../support/server';
import { checkInvariants } from './invariants';
import { type ChatUser, bareId, signupUsers, startChatServer } from './support';

const skygear: any = require('skygear');
const UserConversation = skygear.Record.extend('user_conversation');
const Conversation = skygear.Record.extend('conversation');
const Message = skygear.Record.extend('message');

/**
 * 24 clients at once in three shared conversations: sending (public and private database), reading
 * and marking read/delivered (lambdas and record saves), editing and deleting messages, while admins
 * add and remove participants and rename conversations. Afterwards I1–I5 must hold exactly. The only
 * acceptable failures are the ones concurrency makes legitimate: acting in a conversation one was
 * just removed from (102), editing or deleting a message someone else just deleted (108).
 */
let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('concurrent sends, reads and membership changes keep I1–I5 exactly', async () => {
  const users = await signupUsers(server, 24, 'conc');
  const floaters = users.slice(18);
  const convA = await users[0].createConversation(users.slice(1, 12), 'A');
  const convB = await users[6].createConversation(users.slice(7, 18), 'B');
  const convC = await users[12].createConversation(users.filter((_, i) => i !== 12), 'C');
  const admins: Record<string, ChatUser> = { [convA]: users[0], [convB]: users[6], [convC]: users[12] };
  const unexpected: string[] = [];
  let sent = 0;
  let edited = 0;
  let deleted = 0;
  const publicMessages = new Set<string>();

  const tolerate = async (what: string, run: () => Promise<unknown>, codes = [102]) => {
    try {
      await run();
    } catch (err: any) {
      const code = err?.error?.code ?? err?.code;
      if (!codes.includes(code)) unexpected.push(`${what}: ${JSON.stringify(err?.error ?? err)}`);
    }
  };

  const member = async (user: ChatUser): Promise<string[]> =>
    (await user.call('chat:get_conversations', [1, 50])).conversations.map((c: any) => bareId(c._id));

  const actor = async (user: ChatUser, index: number) => {
    const random = prng(index + 1);
    for (let step = 0; step < 6; step++) {
      const mine = (await member(user)).filter((c) => [convA, convB, convC].includes(c));
      if (mine.length === 0) continue;
      const cid = mine[Math.floor(random() * mine.length)];
      const action = random();
      if (action < 0.35) {
        await tolerate(`send by ${user.name}`, async () => {
          const db = random() < 0.3 ? 'private' : 'public';
          const mid = await user.send(cid, `s${step}`, { db });
          if (db === 'public') publicMessages.add(mid);
          sent++;
        });
      } else if (action < 0.45) {
        await tolerate(
          `edit by ${user.name}`,
          async () => {
            const page = await user.call('chat:get_messages', [cid, 10]);
            const own = page.results.find((m: any) => m._ownerID === user.id && publicMessages.has(bareId(m._id)));
            if (!own) return;
            await user.client.publicDB.save(Object.assign(new Message(own), { body: `${own.body}, edited` }));
            edited++;
          },
          [102, 108],
        );
      } else if (action < 0.52) {
        await tolerate(
          `delete by ${user.name}`,
          async () => {
            const page = await user.call('chat:get_messages', [cid, 10]);
            const target = page.results.find((m: any) => m._ownerID === user.id) ?? (admins[cid] === user ? page.results[0] : undefined);
            if (!target) return;
            await user.call('chat:delete_message', [bareId(target._id)]);
            deleted++;
          },
          [102, 108],
        );
      } else if (action < 0.7) {
        await tolerate(`read by ${user.name}`, async () => {
          const page = await user.call('chat:get_messages', [cid, 5]);
          const ids = page.results.map((m: any) => bareId(m._id));
          if (ids.length > 0) await user.call(random() < 0.5 ? 'chat:mark_as_read' : 'chat:mark_as_delivered', [ids]);
        });
      } else if (action < 0.8) {
        await tolerate(`marker save by ${user.name}`, async () => {
          const q = new skygear.Query(UserConversation);
          q.equalTo('user', new skygear.Reference(`user/${user.id}`));
          q.equalTo('conversation', new skygear.Reference(`conversation/${cid}`));
          const [row] = await user.client.publicDB.query(q);
          const [newest] = (await user.call('chat:get_messages', [cid, 1])).results;
          if (row && newest) {
            row.last_read_message = new skygear.Reference(newest._id);
            await user.client.publicDB.save(row);
          }
        });
      } else if (action < 0.9) {
        await tolerate(`typing by ${user.name}`, () => user.call('chat:typing', [cid, 'begin', new Date()]));
      } else {
        await tolerate(`total by ${user.name}`, () => user.call('chat:total_unread'));
      }
    }
  };

  const membershipChurn = async () => {
    const random = prng(999);
    for (let round = 0; round < 8; round++) {
      const cid = [convA, convB, convC][round % 3];
      const admin = admins[cid];
      const floater = floaters[Math.floor(random() * floaters.length)];
      const op = round % 4;
      if (op === 0) await tolerate('add', () => admin.call('chat:add_participants', [cid, [floater.id]]));
      else if (op === 1) await tolerate('remove', () => admin.call('chat:remove_participants', [cid, [floater.id]]));
      else if (op === 2) await tolerate('rename', () => admin.client.publicDB.save(new Conversation({ _id: `conversation/${cid}`, title: `r${round}` })));
      else await tolerate('add-remove', async () => {
        await admin.call('chat:add_participants', [cid, [floater.id]]);
        await admin.call('chat:remove_participants', [cid, [floater.id]]);
      });
    }
  };

  await Promise.all([...users.map((u, i) => actor(u, i)), membershipChurn()]);
  expect(unexpected).toEqual([]);
  expect(sent).toBeGreaterThan(10);
  expect(edited + deleted).toBeGreaterThan(3);
  await checkInvariants(server.db);

  // Everyone now reads everything: counts go to zero and every message with an audience is all_read.
  for (const cid of [convA, convB, convC]) {
    const participants: string[] = (await server.db.query(`SELECT participant_ids FROM conversation WHERE _id = $1`, [cid])).rows[0].participant_ids;
    const ids = (await server.db.query<{ _id: string }>(`SELECT _id FROM message WHERE conversation_id = $1`, [cid])).rows.map((r) => r._id);
    await Promise.all(users.filter((u) => participants.includes(u.id)).map((u) => u.call('chat:mark_as_read', [ids])));
  }
  await checkInvariants(server.db);
  const leftover = await server.db.query(`SELECT count(*)::int AS n FROM user_conversation WHERE unread_count <> 0 AND conversation = ANY($1)`, [[convA, convB, convC]]);
  expect(leftover.rows[0].n).toBe(0);
}, 240_000);
