
/**
 * The server's own dependencies failing under load, on private Redis and PostgreSQL instances the
 * test may stop (test/reliability/private-services.ts; the shared ones are never touched):
 *
 * 1. Redis killed and restarted while two nodes serve: both keep acknowledging sends during the
 *    outage, reconnect by themselves, realtime between the nodes resumes, and every acknowledged
 *    message is stored exactly once (I1–I5 hold).
 * 2. PostgreSQL restarted (fast shutdown: every backend terminated, open transactions rolled back)
 *    during load: requests in flight get a Skygear error (never a hang, a dropped connection or
 *    10000), the server recovers by itself, nothing is half-written (I1–I5 and the ledger hold).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { verify } from '../../scripts/stress/check';
import { Ledger } from '../../scripts/stress/ledger';
import { WireClient, type WireResult, bare, messageRecord } from '../../scripts/stress/wire';
import type { Driver } from '../../src/server/db/driver';
import { openDriver } from '../../src/server/db/open';
import { ChildServer, freePort } from './child-server';
import { PrivatePostgres, PrivateRedis } from './private-services';

const SHARED_PG = 'postgres://postgres@127.0.0.1:5432/test';
const API_KEY = 'svc-fault-api-key';
const figures: Record<string, unknown> = {};
let assetDir: string;

beforeAll(async () => {
  assetDir = await fs.mkdtemp(path.join(os.tmpdir(), 'svc-fault-assets-'));
});

afterAll(async () => {
  if (assetDir) await fs.rm(assetDir, { recursive: true, force: true });
  process.stdout.write(`service faults: ${JSON.stringify(figures)}\n`);
});

function serverEnv(appName: string, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    APP_NAME: appName,
    API_KEY,
    MASTER_KEY: 'svc-fault-master-key',
    ASSET_STORE_PATH: assetDir,
    ASSET_STORE_SECRET: 'svc-fault-secret',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

async function signups(url: string, n: number, prefix: string): Promise<WireClient[]> {
  const out: WireClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = new WireClient({ url, apiKey: API_KEY, timeoutMs: 15_000 });
    const res = await c.signup(`${prefix}${i}_${randomBytes(3).toString('hex')}`);
    if (res.kind !== 'ok') throw new Error(`signup: ${JSON.stringify(res)}`);
    out.push(c);
  }
  return out;
}

/** The same user (same token) talking to another node. */
function on(url: string, c: WireClient): WireClient {
  const other = new WireClient({ url, apiKey: API_KEY, timeoutMs: 15_000 });
  other.accessToken = c.accessToken;
  other.userId = c.userId;
  return other;
}

async function createGroup(ledger: Ledger, admin: WireClient, others: WireClient[]): Promise<string> {
  const res = await admin.lambda('chat:create_conversation', [others.map((o) => o.userId), 'svc fault', {}, {}]);
  if (res.kind !== 'ok') throw new Error(`create: ${JSON.stringify(res)}`);
  const id = bare(res.result.conversation._id);
  ledger.ackedConversations.add(id);
  return id;
}

async function send(ledger: Ledger, client: WireClient, conv: string, body: string): Promise<WireResult> {
  const id = randomUUID();
  ledger.attemptMessage(id);
  const res = await client.saveRecord(Math.random() < 0.3 ? '_private' : '_public', messageRecord(conv, body, id));
  if (res.kind === 'ok') ledger.ackMessage({ id, conversationId: conv, senderId: client.userId!, databaseId: '' });
  return res;
}

async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A realtime subscriber as the client is one: a user_channel in its private DB, subscribed on a node. */
async function subscriber(client: WireClient, wsBase: string): Promise<{ frames: string[]; close(): void }> {
  const name = randomUUID();
  const saved = await client.saveRecord('_private', { _id: `user_channel/${randomUUID()}`, _access: null, name });
  if (saved.kind !== 'ok') throw new Error(`user_channel: ${JSON.stringify(saved)}`);
  const ws = new WebSocket(`${wsBase}/pubsub?api_key=${API_KEY}`);
  const frames: string[] = [];
  ws.on('message', (raw) => frames.push(raw.toString()));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ action: 'sub', channel: name }));
  return { frames, close: () => ws.terminate() };
}

/** Workers sending on their node until stopped; counts acknowledgements per node. */
function startSends(ledger: Ledger, senders: WireClient[], conv: string, stop: () => boolean) {
  const acks = new Map<WireClient, number>();
  const failures: WireResult[] = [];
  const timings: Array<{ start: number; end: number }> = [];
  const worker = async (c: WireClient) => {
    for (let n = 0; !stop() && n < 5_000; n++) {
      const start = Date.now();
      const res = await send(ledger, c, conv, `load ${n}`);
      timings.push({ start, end: Date.now() });
      if (res.kind === 'ok') acks.set(c, (acks.get(c) ?? 0) + 1);
      else {
        failures.push(res);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const done = Promise.all(senders.map(worker));
  return { acks, failures, timings, done };
}

describe('Redis killed and restarted during a two-node run', () => {
  const appName = `t_redisfault_${randomBytes(4).toString('hex')}`;
  let redis: PrivateRedis;
  let nodeA: ChildServer;
  let nodeB: ChildServer;
  let db: Driver;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    nodeA = new ChildServer(await freePort(), serverEnv(appName, SHARED_PG, { REDIS_URL: redis.url }));
    nodeB = new ChildServer(await freePort(), serverEnv(appName, SHARED_PG, { REDIS_URL: redis.url }));
    await nodeA.start();
    await nodeB.start();
    db = await openDriver(SHARED_PG, `app_${appName}`);
  }, 120_000);

  afterAll(async () => {
    await nodeA?.stop('SIGKILL').catch(() => undefined);
    await nodeB?.stop('SIGKILL').catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    if (db) {
      await db.query(`DROP SCHEMA IF EXISTS "app_${appName}" CASCADE`).catch(() => undefined);
      await db.close();
    }
  }, 30_000);

  test('both nodes keep serving, reconnect by themselves, realtime resumes, nothing acknowledged is lost', async () => {
    const ledger = new Ledger();
    const [alice, bob] = await signups(nodeA.url, 2, 'redis');
    const aliceOnB = on(nodeB.url, alice);
    const conv = await createGroup(ledger, alice, [bob]);
    // Bob listens on node B; Alice on node A: each sees what is sent on the other node only through Redis.
    const bobOnB = await subscriber(on(nodeB.url, bob), nodeB.url.replace('http', 'ws'));
    const aliceOnA = await subscriber(alice, nodeA.url.replace('http', 'ws'));
    const crossNode = async (from: WireClient, to: { frames: string[] }, what: string, timeoutMs: number) => {
      // Probes until one message sent on one node shows up at the other node's subscriber.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await send(ledger, from, conv, `probe ${what}`);
        if (res.kind === 'ok') {
          const id = res.result._id as string;
          const seen = await until(() => to.frames.some((f) => f.includes(id)), what, 1_000).then(
            () => true,
            () => false,
          );
          if (seen) return;
        }
        if (Date.now() > deadline) throw new Error(`realtime did not resume: ${what}`);
      }
    };
    await crossNode(alice, bobOnB, 'A → B before the outage', 10_000);
    await crossNode(on(nodeB.url, bob), aliceOnA, 'B → A before the outage', 10_000);

    let stopped = false;
    const load = startSends(ledger, [alice, aliceOnB, bob, on(nodeB.url, bob)], conv, () => stopped);
    await until(() => ledger.ackedMessages.size >= 20, 'the load to run');

    await redis.stop();
    const outageStart = Date.now();
    const ackedBefore = new Map(load.acks);
    await new Promise((r) => setTimeout(r, 3_000));
    const ackedDuring = [...load.acks].map(([c, n]) => ({ node: c === alice || c === bob ? 'A' : 'B', n: n - (ackedBefore.get(c) ?? 0) }));
    const outageEnd = Date.now();
    // Sends that started after the first second of the outage (the nodes have noticed by then).
    const during = load.timings.filter((t) => t.start >= outageStart + 1_000 && t.end <= outageEnd).map((t) => t.end - t.start).sort((a, b) => a - b);
    const medianMs = during[Math.floor(during.length / 2)] ?? Infinity;
    figures.redisOutage = { ms: outageEnd - outageStart, ackedDuring, sendsDuring: during.length, medianMs };
    // Each node acknowledged sends while Redis was down, at about its usual pace: a send does not
    // wait for Redis (which would be seconds per send once the reconnect back-off grows).
    for (const node of ['A', 'B']) expect(ackedDuring.filter((a) => a.node === node).reduce((s, a) => s + a.n, 0)).toBeGreaterThan(0);
    expect(medianMs).toBeLessThan(300);
    expect(nodeA.alive && nodeB.alive).toBe(true);

    await redis.start();
    const back = Date.now();
    await crossNode(alice, bobOnB, 'A → B after Redis came back', 30_000);
    await crossNode(on(nodeB.url, bob), aliceOnA, 'B → A after Redis came back', 30_000);
    figures.redisRealtimeResumedMs = Date.now() - back;

    stopped = true;
    await load.done;
    bobOnB.close();
    aliceOnA.close();
    // Sends never depend on Redis: not one failed.
    expect(load.failures).toEqual([]);
    const verdict = await verify(db, ledger);
    expect(verdict.problems).toEqual([]);
    figures.redisAcked = ledger.ackedMessages.size;
  }, 150_000);
});

describe('PostgreSQL restarted during load', () => {
  const appName = `t_pgfault_${randomBytes(4).toString('hex')}`;
  let pg: PrivatePostgres;
  let server: ChildServer;
  let db: Driver;

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    server = new ChildServer(await freePort(), serverEnv(appName, pg.url));
    await server.start();
    db = await openDriver(pg.url, `app_${appName}`);
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL').catch(() => undefined);
    await db?.close().catch(() => undefined);
    await pg?.destroy();
  }, 60_000);

  test('in-flight requests get a Skygear error, the server recovers by itself, I1–I5 and the ledger hold', async () => {
    const ledger = new Ledger();
    const clients = await signups(server.url, 6, 'pgr');
    const conv = await createGroup(ledger, clients[0], clients.slice(1));
    let stopped = false;
    const errors: WireResult[] = [];
    const worker = async (c: WireClient, i: number) => {
      for (let n = 0; !stopped && n < 5_000; n++) {
        let res: WireResult;
        if (n % 5 === 4) {
          res = await c.lambda('chat:create_conversation', [[clients[(i + 1) % clients.length].userId], `c${i}-${n}`, {}, {}]);
          if (res.kind === 'ok') ledger.ackedConversations.add(bare(res.result.conversation._id));
        } else if (n % 7 === 6) {
          const page = await c.lambda('chat:get_messages', [conv, 5]);
          res = page.kind === 'ok' && page.result.results.length > 0 ? await c.lambda('chat:mark_as_read', [page.result.results.map((m: any) => bare(m._id))]) : page;
        } else {
          res = await send(ledger, c, conv, `w${i} n${n}`);
        }
        if (res.kind !== 'ok') {
          errors.push(res);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const load = Promise.all(clients.map(worker));
    await until(() => ledger.ackedMessages.size >= 40, 'the load to run');
    await db.close();
    const restartStart = Date.now();
    await pg.restart();
    figures.pgRestartMs = Date.now() - restartStart;
    db = await openDriver(pg.url, `app_${appName}`);
    await new Promise((r) => setTimeout(r, 1_000));
    stopped = true;
    await load;

    if (!server.alive) throw new Error(`the server died when PostgreSQL restarted:\n${server.output.slice(-3000)}`);
    const codes: Record<string, number> = {};
    for (const res of errors) {
      const key = res.kind === 'error' ? `${res.status}/${res.error.code}` : `transport: ${(res as any).reason}`;
      codes[key] = (codes[key] ?? 0) + 1;
    }
    figures.pgRestartErrors = codes;
    // Every failed request was answered with a typed Skygear error, not dropped and not 10000.
    for (const res of errors) {
      expect(res.kind).toBe('error');
      if (res.kind === 'error') {
        expect(res.error.code).toBeGreaterThan(100);
        expect(res.error.code).not.toBe(10000);
      }
    }
    // Recovery without a restart of the server: every client's next requests succeed.
    for (const c of clients) {
      await until(async () => (await send(ledger, c, conv, 'after restart')).kind === 'ok', 'a send after the restart', 20_000);
      expect((await c.lambda('chat:get_conversation', [conv])).kind).toBe('ok');
    }
    const verdict = await verify(db, ledger);
    expect(verdict.problems).toEqual([]);
    figures.pgAcked = ledger.ackedMessages.size;
  }, 150_000);
});
