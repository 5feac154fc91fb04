/**
 * The mixed chat load: `clients` users, each issuing one request at a time (as a person with one
 * tab does), until `operations` requests were made or the deadline passed. The mix: sends (public
 * and private database, seed-era `conversation_id` and the 1.x SDK's `conversation`), get_messages
 * with cursors, mark_as_read/delivered, edits by authors, chat:delete_message by authors and admins,
 * admins adding and removing participants, members leaving, racing creators of the same distinct
 * conversation, get_conversations and total_unread.
 *
 * Refusals that concurrency makes legitimate are expected (acting in a conversation one was just
 * removed from: 102; losing a distinct race: 108 with the winner's id; editing or deleting a message
 * an admin just deleted: 108). Anything else — another
 * code, a 5xx, 10000, a lost connection — is recorded as unexpected and fails the run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Ledger } from './ledger';
import { WireClient, type WireResult, bare, messageRecord } from './wire';

export type OpKind =
  | 'send'
  | 'get_messages'
  | 'mark_as_read'
  | 'mark_as_delivered'
  | 'edit_message'
  | 'delete_message'
  | 'add_participants'
  | 'remove_participants'
  | 'leave_conversation'
  | 'create_distinct'
  | 'get_conversations'
  | 'total_unread';

export interface LoadOptions {
  url: string;
  apiKey: string;
  clients: number;
  operations: number;
  /** Wall-clock bound for the whole load (setup included). */
  deadlineMs: number;
  seed?: number;
  /** Group conversations created up front. */
  groups?: number;
  groupSize?: number;
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface KindStats {
  ok: number;
  refused: number;
}

export interface LoadResult {
  clients: number;
  operations: number;
  byKind: Record<OpKind, KindStats>;
  unexpected: string[];
  ledger: Ledger;
  hitDeadline: boolean;
  conversations: number;
  distinctRaces: number;
}

/** A small deterministic PRNG (the run is reproducible from its seed, modulo scheduling). */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Conv {
  id: string;
  admin: string;
  members: Set<string>;
  /** Message ids seen in this conversation (for cursors and marking). */
  recent: string[];
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const deadline = started + opts.deadlineMs;
  const random = prng(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const log = opts.log ?? (() => undefined);
  const ledger = new Ledger();
  const unexpected: string[] = [];
  const kinds: OpKind[] = [
    'send', 'get_messages', 'mark_as_read', 'mark_as_delivered', 'edit_message', 'delete_message', 'add_participants', 'remove_participants',
    'leave_conversation', 'create_distinct', 'get_conversations', 'total_unread',
  ];
  const byKind = Object.fromEntries(kinds.map((k) => [k, { ok: 0, refused: 0 }])) as Record<OpKind, KindStats>;
  let operations = 0;
  let distinctRaces = 0;

  const note = (what: string, res: WireResult) => {
    if (unexpected.length < 200) {
      unexpected.push(`${what}: ${res.kind === 'transport' ? `transport ${res.reason}` : res.kind === 'error' ? `HTTP ${res.status} ${JSON.stringify(res.error)}` : 'ok'}`);
    }
  };
  /** Counts one request; true when it succeeded, false when refused in a tolerated way. */
  const outcome = (kind: OpKind, what: string, res: WireResult, tolerated: number[]): res is Extract<WireResult, { kind: 'ok' }> => {
    operations++;
    if (res.kind === 'ok') {
      byKind[kind].ok++;
      return true;
    }
    if (res.kind === 'error' && tolerated.includes(res.error.code) && res.status < 500) {
      byKind[kind].refused++;
      return false;
    }
    note(what, res);
    return false;
  };

  // Set-up: users (bounded parallelism), then group conversations.
  const tag = randomBytes(3).toString('hex');
  const clients: WireClient[] = [];
  for (let i = 0; i < opts.clients; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, opts.clients - i) }, async (_, j) => {
        const c = new WireClient({ url: opts.url, apiKey: opts.apiKey, timeoutMs: opts.requestTimeoutMs });
        const res = await c.signup(`stress_${tag}_${i + j}`);
        if (res.kind !== 'ok') throw new Error(`signup failed: ${JSON.stringify(res)}`);
        return c;
      }),
    );
    clients.push(...batch);
  }
  const ids = clients.map((c) => c.userId!);
  const byId = new Map(clients.map((c) => [c.userId!, c]));
  const convs: Conv[] = [];
  const groups = opts.groups ?? Math.max(2, Math.floor(opts.clients / 5));
  const groupSize = Math.min(opts.groupSize ?? 12, opts.clients);
  for (let g = 0; g < groups; g++) {
    const creator = clients[g % clients.length];
    const others = new Set<string>();
    while (others.size < groupSize - 1) {
      const u = pick(ids);
      if (u !== creator.userId) others.add(u);
    }
    const res = await creator.lambda('chat:create_conversation', [[...others], `group ${g}`, { g }, {}]);
    if (res.kind !== 'ok') throw new Error(`group creation failed: ${JSON.stringify(res)}`);
    const id = bare(res.result.conversation._id);
    ledger.ackedConversations.add(id);
    convs.push({ id, admin: creator.userId!, members: new Set(res.result.conversation.participant_ids), recent: [] });
  }
  log(`set-up: ${clients.length} users, ${convs.length} group conversations in ${Date.now() - started} ms`);

  const mine = (uid: string) => convs.filter((c) => c.members.has(uid));
  const remember = (conv: Conv, messageIds: string[]) => {
    conv.recent.push(...messageIds);
    if (conv.recent.length > 50) conv.recent.splice(0, conv.recent.length - 50);
  };
  const updateMembers = (conv: Conv, result: any) => {
    const list = result?.conversation?.participant_ids;
    if (Array.isArray(list)) conv.members = new Set(list);
  };

  const step = async (client: WireClient, r: () => number): Promise<void> => {
    const uid = client.userId!;
    const roll = r();
    const joined = mine(uid);
    const administered = convs.filter((c) => c.admin === uid);
    if (administered.length > 0 && roll < 0.08) {
      const conv = administered[Math.floor(r() * administered.length)];
      const outsiders = ids.filter((u) => !conv.members.has(u));
      const removable = [...conv.members].filter((u) => u !== conv.admin);
      if ((r() < 0.5 || removable.length < 3) && outsiders.length > 0) {
        const who = outsiders[Math.floor(r() * outsiders.length)];
        const res = await client.lambda('chat:add_participants', [conv.id, [who]]);
        if (outcome('add_participants', `add ${who} to ${conv.id}`, res, [])) updateMembers(conv, res.result);
      } else if (removable.length > 0) {
        const who = removable[Math.floor(r() * removable.length)];
        const res = await client.lambda('chat:remove_participants', [conv.id, [who]]);
        if (outcome('remove_participants', `remove ${who} from ${conv.id}`, res, [])) updateMembers(conv, res.result);
      }
      return;
    }
    if (joined.length === 0 || roll >= 0.86) {
      if (roll < 0.93) {
        const res = await client.lambda('chat:get_conversations', [1, 20]);
        outcome('get_conversations', `get_conversations by ${uid}`, res, []);
      } else {
        const res = await client.lambda('chat:total_unread');
        outcome('total_unread', `total_unread by ${uid}`, res, []);
      }
      return;
    }
    const conv = joined[Math.floor(r() * joined.length)];
    if (roll < 0.41) {
      const id = randomUUID();
      const databaseId = r() < 0.25 ? '_private' : '_public';
      ledger.attemptMessage(id);
      const field = r() < 0.5 ? 'conversation' : 'conversation_id';
      const res = await client.saveRecord(databaseId, messageRecord(conv.id, `m ${operations}`, id, field));
      if (outcome('send', `send by ${uid} to ${conv.id}`, res, [102])) {
        ledger.ackMessage({ id, conversationId: conv.id, senderId: uid, databaseId });
        remember(conv, [id]);
      }
    } else if (roll < 0.44) {
      // The author edits one of their messages, in the database it was sent to.
      const own = conv.recent.map((m) => ledger.ackedMessages.get(m)).filter((m) => m?.senderId === uid && !ledger.ackedDeletes.has(m.id));
      const target = own[Math.floor(r() * own.length)];
      if (!target) return;
      const res = await client.saveRecord(target.databaseId, { _id: `message/${target.id}`, body: `edited at ${operations}` });
      if (outcome('edit_message', `edit of ${target.id} by ${uid}`, res, [102, 108])) ledger.ackEdit(target.id);
    } else if (roll < 0.46) {
      // chat:delete_message by the author, or by the admin of any message.
      const deletable = conv.recent.filter((m) => !ledger.ackedDeletes.has(m) && (conv.admin === uid || ledger.ackedMessages.get(m)?.senderId === uid));
      const id = deletable[Math.floor(r() * deletable.length)];
      if (!id) return;
      const res = await client.lambda('chat:delete_message', [id]);
      if (outcome('delete_message', `delete of ${id} by ${uid}`, res, [102, 108])) ledger.ackedDeletes.add(id);
    } else if (roll < 0.65) {
      const args: unknown[] = [conv.id, 1 + Math.floor(r() * 20)];
      if (conv.recent.length > 0 && r() < 0.4) args.push(null, null, conv.recent[Math.floor(r() * conv.recent.length)]);
      const res = await client.lambda('chat:get_messages', args);
      // 108: the cursor message is not visible any more — impossible here, so not tolerated.
      if (outcome('get_messages', `get_messages by ${uid} in ${conv.id}`, res, [102])) {
        remember(conv, (res.result.results as Array<{ _id: string }>).map((m) => bare(m._id)));
      }
    } else if (roll < 0.78) {
      const ids2 = conv.recent.slice(-1 - Math.floor(r() * 5));
      if (ids2.length === 0) return;
      const kind: OpKind = r() < 0.75 ? 'mark_as_read' : 'mark_as_delivered';
      const res = await client.lambda(`chat:${kind}`, [ids2]);
      outcome(kind, `${kind} by ${uid} in ${conv.id}`, res, [102]);
    } else if (roll < 0.82) {
      if (conv.admin === uid || conv.members.size <= 3) return;
      const res = await client.lambda('chat:leave_conversation', [conv.id]);
      if (outcome('leave_conversation', `leave ${conv.id} by ${uid}`, res, [102])) conv.members.delete(uid);
    } else {
      // Racing creators of one distinct conversation (two or three clients at the same moment).
      const set = new Set<string>([uid]);
      while (set.size < 3) set.add(ids[Math.floor(r() * ids.length)]);
      const members = [...set];
      const racers = members.slice(0, 2 + Math.floor(r() * 2)).map((u) => byId.get(u)!);
      distinctRaces++;
      const key = `#${distinctRaces} {${[...members].sort().join(',')}}`;
      const race = { created: [] as string[], toldExisting: [] as string[] };
      ledger.distinctRaces.set(key, race);
      const results = await Promise.all(
        racers.map((racer) => racer.lambda('chat:create_conversation', [members.filter((m) => m !== racer.userId), 'distinct', {}, { distinctByParticipants: true }])),
      );
      results.forEach((res, i) => {
        if (outcome('create_distinct', `distinct create by ${racers[i].userId} of ${key}`, res, [108])) {
          const id = bare(res.result.conversation._id);
          race.created.push(id);
          ledger.ackedConversations.add(id);
          convs.push({ id, admin: racers[i].userId!, members: new Set(res.result.conversation.participant_ids), recent: [] });
        } else if (res.kind === 'error' && res.error.code === 108) {
          const existing = res.error.info?.conversation_id;
          if (typeof existing !== 'string' || existing === '') note(`distinct loser of ${key} got no conversation_id`, res);
          else race.toldExisting.push(existing);
        }
      });
    }
  };

  const worker = async (client: WireClient, index: number) => {
    const r = prng((opts.seed ?? 42) * 1000 + index + 1);
    while (operations < opts.operations && Date.now() < deadline && unexpected.length < 200) {
      await step(client, r);
    }
  };
  await Promise.all(clients.map((c, i) => worker(c, i)));
  return {
    clients: clients.length,
    operations,
    byKind,
    unexpected,
    ledger,
    hitDeadline: Date.now() >= deadline && operations < opts.operations,
    conversations: convs.length,
    distinctRaces,
  };
}
