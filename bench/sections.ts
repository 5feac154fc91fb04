
import path from 'node:path';
import type WebSocket from 'ws';
import { API_KEY, MASTER_KEY, call, lambda, sendMessage } from './lib/api';
import { type CpuShares, cpuWindow } from './lib/cpu';
import { closedLoop } from './lib/load';
import { type BenchNode, startNode } from './lib/node';
import { runPgbench } from './lib/pgbench';
import { type BenchUser, benchPool, createChannels, createConversation, seedUsers } from './lib/seed';
import { now, summarize } from './lib/stats';
import { createdMessageId, createdMessageIdParsed, openSocket, subscribeConfirmed } from './lib/ws';
import type { BenchConfig } from './config';

export interface Ctx {
  config: BenchConfig;
  appName: string;
  schema: string;
  log: (msg: string) => void;
}

const nodeEnv = (ctx: Ctx, extra: Record<string, string> = {}) => ({
  APP_NAME: ctx.appName,
  DATABASE_URL: ctx.config.databaseUrl,
  REDIS_URL: ctx.config.redisUrl,
  API_KEY,
  MASTER_KEY,
  ...extra,
});

async function withNode<T>(ctx: Ctx, fn: (node: BenchNode) => Promise<T>): Promise<T> {
  const node = await startNode(nodeEnv(ctx));
  try {
    return await fn(node);
  } finally {
    await node.close();
  }
}

/** Pairs of users, one 2-member conversation each; the hot conversation's members. */
async function seedPairs(ctx: Ctx, url: string, pool: ReturnType<typeof benchPool>, pairs: number) {
  const users = await seedUsers(url, pool, pairs * 2, 'pair');
  const conversations: Array<{ id: string; members: BenchUser[] }> = [];
  for (let i = 0; i < pairs; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, pairs - i) }, async (_, k) => {
        const a = users[2 * (i + k)];
        const b = users[2 * (i + k) + 1];
        conversations.push({ id: await createConversation(url, a, [b], `pair ${i + k}`), members: [a, b] });
      }),
    );
  }
  return conversations;
}

async function seedHot(ctx: Ctx, url: string, pool: ReturnType<typeof benchPool>, size: number) {
  const members = await seedUsers(url, pool, size, 'hot');
  const id = await createConversation(url, members[0], members.slice(1), 'hot');
  return { id, members };
}

/** Goals 1 and 2 (+ 1 vs 2 nodes): send throughput/latency, and the pgbench floor of the same SQL. */
export async function sendThroughput(ctx: Ctx) {
  const { config } = ctx;
  const pool = benchPool(config.databaseUrl, ctx.schema);
  try {
    return await withNode(ctx, async (node) => {
      ctx.log(`send: seeding ${config.conversations} 2-member conversations and one ${config.hotMembers}-member conversation`);
      const pairs = await seedPairs(ctx, node.url, pool, config.conversations);
      const hot = await seedHot(ctx, node.url, pool, config.hotMembers);
      // Warm-up (JIT, pool connections, plan caches).
      await closedLoop(config.concurrency, 1, (w, i) => pairTarget(node.url, pairs, w, i));

      ctx.log(`send: 2-member conversations, ${config.concurrency} concurrent senders, ${config.durationS}s`);
      let cpu = cpuWindow([node.child.pid]);
      const twoMember = await closedLoop(config.concurrency, config.durationS, (w, i) => pairTarget(node.url, pairs, w, i));
      const twoMemberCpu = cpu(twoMember.sent);
      ctx.log(`  ${twoMember.throughput} msg/s p50 ${twoMember.latency.p50} ms p99 ${twoMember.latency.p99} ms; CPU ms per send ${cpuText(twoMemberCpu)}`);

      ctx.log(`send: one ${config.hotMembers}-member conversation`);
      cpu = cpuWindow([node.child.pid]);
      const hotResult = await closedLoop(config.concurrency, config.durationS, (w, i) => {
        const sender = hot.members[(w * 7 + i) % hot.members.length];
        return { url: node.url, token: sender.token, conversationId: hot.id };
      });
      const hotCpu = cpu(hotResult.sent);
      ctx.log(`  ${hotResult.throughput} msg/s p50 ${hotResult.latency.p50} ms p99 ${hotResult.latency.p99} ms; CPU ms per send ${cpuText(hotCpu)}`);

      ctx.log('send: pgbench floor (bench/pgbench/send.sql) on the same 2-member conversations');
      await pool.query('CREATE TABLE bench_pick (i int PRIMARY KEY, conversation text NOT NULL, sender text NOT NULL, token text NOT NULL, participants text[] NOT NULL)');
      await pool.query(
        `INSERT INTO bench_pick SELECT ord, c, s, k, ARRAY[s, o] FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(c, s, k, o, ord)`,
        [pairs.map((p) => p.id), pairs.map((p) => p.members[0].id), pairs.map((p) => p.members[0].token), pairs.map((p) => p.members[1].id)],
      );
      const pgbenchRun = async (script: string) => {
        const window = cpuWindow([], 'children');
        const result = await runPgbench({ databaseUrl: config.databaseUrl, schema: ctx.schema, clients: config.concurrency, durationS: config.durationS, nconv: pairs.length, script });
        const cpuMs = window(result.transactions);
        ctx.log(`  pgbench ${result.tps} tps p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms; CPU ms per transaction ${cpuText(cpuMs)}`);
        return { ...result, cpuMsPerTransaction: cpuMs };
      };
      const pgbench = await pgbenchRun('send.sql');
      ctx.log("send: the server's own statements for one send, run by pgbench (bench/pgbench/server-send.sql)");
      const serverSql = await pgbenchRun('server-send.sql');

      ctx.log('send: 2 nodes (second process, same schema, Redis fan-out), load split between them');
      const second = await startNode(nodeEnv(ctx));
      let twoNodes;
      try {
        const urls = [node.url, second.url];
        await closedLoop(config.concurrency, 1, (w, i) => pairTarget(urls[w % 2], pairs, w, i));
        twoNodes = await closedLoop(config.concurrency, config.durationS, (w, i) => pairTarget(urls[w % 2], pairs, w, i));
      } finally {
        await second.close();
      }
      ctx.log(`  ${twoNodes.throughput} msg/s p50 ${twoNodes.latency.p50} ms p99 ${twoNodes.latency.p99} ms`);
      return {
        twoMember: { ...twoMember, cpuMsPerSend: twoMemberCpu },
        hot: { members: config.hotMembers, ...hotResult, cpuMsPerSend: hotCpu },
        pgbench,
        ratioOfPgbench: Math.round((twoMember.throughput / pgbench.tps) * 1000) / 1000,
        serverSqlPgbench: { ...serverSql, ratioOfPgbench: Math.round((serverSql.tps / pgbench.tps) * 1000) / 1000 },
        nodes: { one: twoMember.throughput, two: twoNodes.throughput, twoDetail: twoNodes },
      };
    });
  } finally {
    await pool.end();
  }
}

function cpuText(cpu: CpuShares): string {
  return `server ${cpu.server ?? 'n/a'}, PostgreSQL ${cpu.postgres ?? 'n/a'}, load generator ${cpu.loadGenerator ?? 'n/a'}`;
}

function pairTarget(url: string, pairs: Array<{ id: string; members: BenchUser[] }>, worker: number, i: number) {
  // Each worker walks the conversations from its own offset, alternating the sender.
  const c = pairs[(worker * 13 + i) % pairs.length];
  return { url, token: c.members[i % 2].token, conversationId: c.id };
}

/**
 * Goal 3: send → `create` event at all members' user_channel websockets, at fixed rates: the
 * target rate (the headline figure) after a sweep of lower ones, which shows where the latency
 * bends on this machine. The same 100 sockets and conversation serve every rate.
 */
export async function fanOut(ctx: Ctx) {
  const { config } = ctx;
  const pool = benchPool(config.databaseUrl, ctx.schema);
  const sockets: WebSocket[] = [];
  try {
    return await withNode(ctx, async (node) => {
      const hot = await seedHot(ctx, node.url, pool, config.hotMembers);
      const channels = await createChannels(node.url, hot.members);
      let arrivals = new Map<string, number[]>();
      // The first subscriber also parses every frame in full; the run fails if the two ever disagree.
      const check = { frames: 0, mismatches: 0 };
      for (const member of hot.members) {
        const ws = await openSocket(node.url);
        const checked = sockets.length === 0;
        sockets.push(ws);
        await subscribeConfirmed(ws, channels.get(member.id)!);
        ws.on('message', (raw) => {
          const t = now();
          const frame = raw as Buffer;
          const id = createdMessageId(frame);
          if (checked) {
            check.frames++;
            if (createdMessageIdParsed(frame) !== id) check.mismatches++;
          }
          if (!id) return;
          let list = arrivals.get(id);
          if (!list) arrivals.set(id, (list = []));
          list.push(t);
        });
      }
      const byRate = [];
      for (const rate of [...config.fanOutSweep.filter((r) => r < config.fanOutRate), config.fanOutRate]) {
        arrivals = new Map();
        ctx.log(`fan-out: ${hot.members.length} subscribers, ${rate} msg/s for ${config.fanOutS}s`);
        const run = await fanOutAt(node, hot, rate, config.fanOutS, arrivals);
        ctx.log(`  to all ${hot.members.length}: p50 ${run.toAllSubscribers.p50} ms p99 ${run.toAllSubscribers.p99} ms (achieved ${run.achievedRate} msg/s, ${run.incomplete} incomplete); CPU ms per message ${cpuText(run.cpuMsPerMessage)}`);
        byRate.push(run);
      }
      if (check.mismatches > 0) throw new Error(`fan-out: ${check.mismatches} of ${check.frames} frames read differently by the byte scan and JSON.parse`);
      return {
        subscribers: hot.members.length,
        ...byRate[byRate.length - 1],
        framesCheckedByFullParse: check.frames,
        sweep: byRate.map((r) => ({ rate: r.rate, achievedRate: r.achievedRate, incomplete: r.incomplete, toAllSubscribers: r.toAllSubscribers })),
      };
    });
  } finally {
    for (const ws of sockets) ws.terminate();
    await pool.end();
  }
}

/** One open-loop run: `rate` sends per second for `seconds`, then waits (bounded) for every event. */
async function fanOutAt(node: BenchNode, hot: { id: string; members: BenchUser[] }, rate: number, seconds: number, arrivals: Map<string, number[]>) {
  const sentAt = new Map<string, number>();
  const total = rate * seconds;
  const interval = 1000 / rate;
  const start = now();
  const cpu = cpuWindow([node.child.pid]);
  let errors = 0;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sender = hot.members[i % hot.members.length];
    const t0 = now();
    inflight.push(
      sendMessage(node.url, sender.token, hot.id, `fan-out ${rate}/${i}`).then(
        (id) => void sentAt.set(id, t0),
        () => void errors++,
      ),
    );
  }
  await Promise.all(inflight);
  const sendS = (now() - start) / 1000;
  const deadline = now() + 15_000;
  const complete = () => [...sentAt.keys()].every((id) => (arrivals.get(id)?.length ?? 0) >= hot.members.length);
  while (!complete() && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const cpuMsPerMessage = cpu(sentAt.size);
  const toAll: number[] = [];
  const each: number[] = [];
  let incomplete = 0;
  for (const [id, t0] of sentAt) {
    const list = arrivals.get(id) ?? [];
    for (const t of list) each.push(t - t0);
    if (list.length >= hot.members.length) toAll.push(Math.max(...list) - t0);
    else incomplete++;
  }
  return {
    rate,
    achievedRate: Math.round((sentAt.size / sendS) * 10) / 10,
    messages: sentAt.size,
    errors,
    incomplete,
    toAllSubscribers: summarize(toAll),
    perDelivery: summarize(each),
    cpuMsPerMessage,
  };
}

/** Goal 4: get_messages at N stored messages (set-based seed), mark_as_read of 50-message pages. */
export async function getMessagesAndMarkRead(ctx: Ctx) {
  const { config } = ctx;
  const pool = benchPool(config.databaseUrl, ctx.schema);
  try {
    return await withNode(ctx, async (node) => {
      const hot = await seedHot(ctx, node.url, pool, config.hotMembers);
      const pairs = await seedPairs(ctx, node.url, pool, 100);
      // A real message first: its row is the template every seeded row copies (real column shapes).
      await sendMessage(node.url, hot.members[0].token, hot.id, 'template');
      ctx.log(`read: seeding ${config.storedMessages} messages (half in the ${config.hotMembers}-member conversation, the rest over 100 pairs)`);
      const t0 = now();
      await seedMessages(pool, hot, pairs, config.storedMessages);
      const seedS = Math.round((now() - t0) / 100) / 10;
      const total = Number((await pool.query('SELECT count(*) AS n FROM message')).rows[0].n);
      ctx.log(`  seeded in ${seedS}s; ${total} messages stored`);

      const reader = hot.members[1];
      const latest: number[] = [];
      const deep: number[] = [];
      const ids: string[] = [];
      const first = await lambda(node.url, reader.token, 'chat:get_messages', [hot.id, 50]);
      if (first.results.length !== 50) throw new Error(`get_messages returned ${first.results.length} messages`);
      const seqs = (await pool.query('SELECT min(seq) AS lo, max(seq) AS hi FROM message WHERE conversation_id = $1', [hot.id])).rows[0];
      for (let i = 0; i < config.readSamples; i++) {
        let t = now();
        await lambda(node.url, reader.token, 'chat:get_messages', [hot.id, 50]);
        latest.push(now() - t);
        // A page deep in history: before a random message of the conversation.
        const seq = Number(seqs.lo) + Math.floor(Math.random() * (Number(seqs.hi) - Number(seqs.lo)));
        const cursor = (await pool.query('SELECT _id FROM message WHERE conversation_id = $1 AND seq >= $2 ORDER BY seq LIMIT 1', [hot.id, seq])).rows[0]._id;
        t = now();
        const page = await lambda(node.url, reader.token, 'chat:get_messages', { conversation_id: hot.id, limit: 50, before_message_id: cursor });
        deep.push(now() - t);
        if (i < hot.members.length - 1) ids.push(...page.results.map((m: any) => m._id.slice('message/'.length)));
      }
      // The machine's floor, for reading the figures above: an HTTP request that touches nothing,
      // and a database round trip that does nothing.
      const noopHttp: number[] = [];
      const selectOne: number[] = [];
      for (let i = 0; i < config.readSamples; i++) {
        let t = now();
        await call(node.url, '_status:healthz', {});
        noopHttp.push(now() - t);
        t = now();
        await pool.query('SELECT 1');
        selectOne.push(now() - t);
      }
      // mark_as_read: each member (not the template sender) marks one page of 50 once.
      const mark: number[] = [];
      for (let k = 1; k < hot.members.length; k++) {
        const page = (await pool.query('SELECT _id FROM message WHERE conversation_id = $1 ORDER BY seq DESC OFFSET $2 LIMIT 50', [hot.id, (k - 1) * 50])).rows.map((r) => r._id);
        const t = now();
        await lambda(node.url, hot.members[k].token, 'chat:mark_as_read', [page]);
        mark.push(now() - t);
      }
      const result = {
        storedMessages: total,
        seedSeconds: seedS,
        conversationMessages: Number(seqs.hi) > 0 ? Number((await pool.query('SELECT count(*) AS n FROM message WHERE conversation_id = $1', [hot.id])).rows[0].n) : 0,
        getMessagesLatest: summarize(latest),
        getMessagesDeep: summarize(deep),
        markAsRead50: { members: config.hotMembers, ...summarize(mark) },
        floor: { noopHttp: summarize(noopHttp), selectOne: summarize(selectOne) },
      };
      ctx.log(`  get_messages p50 ${result.getMessagesLatest.p50} / p99 ${result.getMessagesLatest.p99} ms; deep page p99 ${result.getMessagesDeep.p99} ms; mark_as_read(50) p50 ${result.markAsRead50.p50} / p99 ${result.markAsRead50.p99} ms; floor: no-op HTTP p99 ${result.floor.noopHttp.p99} ms, SELECT 1 p99 ${result.floor.selectOne.p99} ms`);
      return result;
    });
  } finally {
    await pool.end();
  }
}

/**
 * INSERT … SELECT generate_series copies of a real message row, then the derived state is made
 * consistent set-based: last_message (I2) and unread counts (I3: every seeded message is newer than
 * every member's join point and read marker, so each member's count rises by the seeded messages of
 * the conversation that they did not send).
 */
async function seedMessages(pool: ReturnType<typeof benchPool>, hot: { id: string; members: BenchUser[] }, pairs: Array<{ id: string; members: BenchUser[] }>, n: number) {
  const hotCount = Math.floor(n / 2);
  const perPair = Math.floor((n - hotCount) / pairs.length);
  const targets = [{ id: hot.id, members: hot.members.map((m) => m.id), count: hotCount }, ...pairs.map((p) => ({ id: p.id, members: p.members.map((m) => m.id), count: perPair }))];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE seed_target (conversation text, members text[], count int) ON COMMIT DROP');
    for (const t of targets) await client.query('INSERT INTO seed_target VALUES ($1, $2, $3)', [t.id, t.members, t.count]);
    const start = Date.now() - n * 10; // 10 ms apart, ending now: creation order = seq order
    await client.query(
      `INSERT INTO message (_id, _database_id, _owner_id, _access, _created_at, _created_by, _updated_at, _updated_by,
                            body, conversation_status, metadata, conversation_id, deleted)
       SELECT gen_random_uuid()::text, tpl._database_id, st.members[1 + g % array_length(st.members, 1)],
              jsonb_build_array(jsonb_build_object('role', 'conversation-participant-' || st.conversation, 'level', 'read')),
              ts, st.members[1 + g % array_length(st.members, 1)], ts, st.members[1 + g % array_length(st.members, 1)],
              'seeded message ' || g, 'delivered', '{}'::jsonb, st.conversation, false
         FROM (SELECT * FROM message WHERE body = 'template' LIMIT 1) tpl
         CROSS JOIN seed_target st
         CROSS JOIN LATERAL generate_series(1, st.count) g
         CROSS JOIN LATERAL (SELECT (to_timestamp($1 / 1000.0) AT TIME ZONE 'UTC') + make_interval(secs => g * 0.01) AS ts) t
        ORDER BY g, st.conversation`,
      [start],
    );
    await client.query(
      `UPDATE conversation c SET last_message = n._id, last_message_at = n._created_at
         FROM seed_target st, LATERAL (SELECT _id, _created_at FROM message m WHERE m.conversation_id = st.conversation AND NOT m.deleted ORDER BY seq DESC LIMIT 1) n
        WHERE c._id = st.conversation`,
    );
    await client.query(
      // Member at 0-based position j sent the seeded messages g (1..count) with g % k = j.
      `UPDATE user_conversation uc SET unread_count = uc.unread_count + st.count - (
         SELECT CASE WHEN j = 0 THEN st.count / k WHEN j <= st.count THEN (st.count - j) / k + 1 ELSE 0 END
           FROM (SELECT array_position(st.members, uc."user") - 1 AS j, array_length(st.members, 1) AS k) p)
         FROM seed_target st WHERE uc.conversation = st.conversation AND uc."user" = ANY(st.members)`,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
  // A store that grew to N messages over time has been vacuumed by autovacuum: visibility map set,
  // hint bits written. Without this the first reads of the fresh rows write hint bits and
  // autovacuum starts on the table during the measurement.
  await pool.query('VACUUM (ANALYZE) message');
  await pool.query('VACUUM (ANALYZE) user_conversation');
  await pool.query('VACUUM (ANALYZE) conversation');
}

const ACCESS_SETTING_TABLES = /"?_record_(field_access|creation|default_access)"?\s/;

/** Goal 6: statements per send by group size, counted by the STATEMENT_STATS driver (in process). */
export async function statementsPerSend(ctx: Ctx) {
  const { config } = ctx;
  const { loadConfig } = await import('../src/server/core/config');
  const { createServer } = await import('../src/server/server');
  const { silentLogger } = await import('../src/server/core/log');
  const { statementStats, resetStatementStats } = await import('../src/server/db/counting');
  const server = await createServer(
    loadConfig({ ...nodeEnv(ctx), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', LOAD_MODULES: path.resolve(__dirname, '../src/plugin'), STATEMENT_STATS: '1' }),
    { log: silentLogger },
  );
  const url = await server.listen();
  const pool = benchPool(config.databaseUrl, ctx.schema);
  try {
    const biggest = Math.max(...config.groupSizes);
    const users = await seedUsers(url, pool, biggest, 'stmt');
    const rows: Array<Record<string, unknown>> = [];
    for (const size of config.groupSizes) {
      const members = users.slice(0, size);
      const cid = await createConversation(url, members[0], members.slice(1), `group of ${size}`);
      await sendMessage(url, members[1 % size].token, cid, 'warm-up');
      resetStatementStats();
      for (let i = 0; i < config.sendsPerGroup; i++) await sendMessage(url, members[i % size].token, cid, `count ${i}`);
      const s = statementStats();
      const per = (x: number) => Math.round((x / config.sendsPerGroup) * 100) / 100;
      // The access-setting caches (store/access/access-settings.ts) reload every 2 s, not
      // per send; a slow group (1000 members) can see one reload among its sends. Counted apart.
      const cacheLoads = [...s.byText.entries()].filter(([text]) => ACCESS_SETTING_TABLES.test(text)).reduce((n, [, count]) => n + count, 0);
      rows.push({
        groupSize: size,
        statementsPerSend: per(s.statements - cacheLoads),
        accessSettingReloadsPerSend: per(cacheLoads),
        controlPerSend: per(s.control),
        transactionsPerSend: per(s.transactions),
        statements: [...s.byText.entries()].map(([text, count]) => ({ perSend: per(count), text })),
      });
      ctx.log(`statements: group ${size}: ${per(s.statements - cacheLoads)} statements + ${per(s.control)} control per send (+ ${per(cacheLoads)} cache reloads)`);
    }
    return { method: 'STATEMENT_STATS=1 counting driver (src/server/db/counting.ts), in-process server', groups: rows };
  } finally {
    await server.close();
    await pool.end();
  }
}

/** Goal 5: server RSS/heap per idle websocket (subscribed to one channel each). */
export async function idleSockets(ctx: Ctx) {
  const { config } = ctx;
  const sockets: WebSocket[] = [];
  try {
    return await withNode(ctx, async (node) => {
      // Settle: one socket round trip and a GC before the baseline.
      const probe = await openSocket(node.url);
      await subscribeConfirmed(probe, 'probe');
      probe.terminate();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = await node.memory();
      ctx.log(`idle websockets: opening ${config.idleSockets}`);
      for (let i = 0; i < config.idleSockets; i += 200) {
        const batch = await Promise.all(Array.from({ length: Math.min(200, config.idleSockets - i) }, () => openSocket(node.url)));
        for (const ws of batch) {
          ws.send(JSON.stringify({ action: 'sub', channel: `idle-${sockets.length}` }));
          sockets.push(ws);
        }
      }
      // The last subscription is live once a ping through it comes back (frames are handled in order per socket).
      await subscribeConfirmed(sockets[sockets.length - 1], `idle-${sockets.length - 1}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const after = await node.memory();
      const per = (k: keyof NodeJS.MemoryUsage) => Math.round((after[k] - before[k]) / config.idleSockets);
      const result = {
        sockets: config.idleSockets,
        before,
        after,
        rssBytesPerSocket: per('rss'),
        heapUsedBytesPerSocket: per('heapUsed'),
        externalBytesPerSocket: per('external'),
      };
      ctx.log(`  RSS +${result.rssBytesPerSocket} B/socket, heap +${result.heapUsedBytesPerSocket} B/socket`);
      return result;
    });
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}
