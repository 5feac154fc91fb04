
/**
 * Faults, always on real PostgreSQL (the server runs as a child process; PGlite cannot be shared with
 * one or have its backends terminated), whichever engine the rest of the suite uses:
 *
 * 1. SIGKILL in the middle of sends and conversation creates, restart on the same database: every
 *    acknowledged message and conversation is there exactly once, nothing is half-created (I1–I5).
 * 2. Database connections terminated (pg_terminate_backend) while requests run: the affected
 *    requests get a Skygear error, nothing is partially written, and the server recovers.
 * 3. A client that was away while the server went down and came back catches up with
 *    get_messages cursors (after_message_id forward, before_time backward): exactly what was sent.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verify } from '../../scripts/stress/check';
import { Ledger } from '../../scripts/stress/ledger';
import { WireClient, type WireResult, bare, messageRecord } from '../../scripts/stress/wire';
import type { Driver } from '../../src/server/db/driver';
import { openDriver } from '../../src/server/db/open';
import { ChildServer, freePort } from './child-server';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const API_KEY = 'fault-api-key';
const appName = `t_fault_${randomBytes(5).toString('hex')}`;
const schema = `app_${appName}`;
/** Identifies the child's connections in pg_stat_activity, and only them. */
const pgAppName = `skyfault_${randomBytes(4).toString('hex')}`;

let server: ChildServer;
let db: Driver; // our own connection, for SQL checks and for terminating the server's backends
let assetDir: string;
const ledger = new Ledger();
const figures = { kills: 0, restarts: 0, terminatedBackends: 0, failedDuringFaults: 0, codes: {} as Record<string, number> };

beforeAll(async () => {
  assetDir = await fs.mkdtemp(path.join(os.tmpdir(), 'fault-assets-'));
  server = new ChildServer(await freePort(), {
    DATABASE_URL: `${PG_URL}?application_name=${pgAppName}`,
    PGAPPNAME: pgAppName,
    APP_NAME: appName,
    API_KEY,
    MASTER_KEY: 'fault-master-key',
    ASSET_STORE_PATH: assetDir,
    ASSET_STORE_SECRET: 'fault-secret',
    LOG_LEVEL: 'error',
  });
  await server.start();
  db = await openDriver(PG_URL, schema);
}, 90_000);

afterAll(async () => {
  await server?.stop('SIGKILL').catch(() => undefined);
  if (db) {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await db.close();
  }
  if (assetDir) await fs.rm(assetDir, { recursive: true, force: true });
  process.stdout.write(`faults: ${JSON.stringify(figures)}\n`);
}, 30_000);

// A test that killed the server (or found it dead) must not take the next one down with it.
beforeEach(async () => {
  if (!server.alive) {
    await server.start();
    figures.restarts++;
  }
}, 90_000);

async function users(n: number, prefix: string): Promise<WireClient[]> {
  const out: WireClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = new WireClient({ url: server.url, apiKey: API_KEY, timeoutMs: 10_000 });
    const res = await c.signup(`${prefix}${i}_${randomBytes(3).toString('hex')}`);
    if (res.kind !== 'ok') throw new Error(`signup: ${JSON.stringify(res)}`);
    out.push(c);
  }
  return out;
}

async function createGroup(admin: WireClient, others: WireClient[]): Promise<string> {
  const res = await admin.lambda('chat:create_conversation', [others.map((o) => o.userId), 'fault group', {}, {}]);
  if (res.kind !== 'ok') throw new Error(`create: ${JSON.stringify(res)}`);
  const id = bare(res.result.conversation._id);
  ledger.ackedConversations.add(id);
  return id;
}

/** Sends one message and books it in the ledger. */
async function send(client: WireClient, conv: string, body: string): Promise<WireResult> {
  const id = randomUUID();
  ledger.attemptMessage(id);
  const res = await client.saveRecord(Math.random() < 0.3 ? '_private' : '_public', messageRecord(conv, body, id));
  if (res.kind === 'ok') ledger.ackMessage({ id, conversationId: conv, senderId: client.userId!, databaseId: '' });
  return res;
}

/**
 * Workers sending messages and creating small conversations until `stop()` is true. Returns the
 * responses that were neither a success nor a transport failure (those must be Skygear errors).
 */
function startLoad(clients: WireClient[], conv: string, stop: () => boolean): Promise<{ errors: WireResult[]; transport: WireResult[] }> {
  const odd: WireResult[] = [];
  const transport: WireResult[] = [];
  const worker = async (c: WireClient, i: number) => {
    for (let n = 0; !stop() && n < 2_000; n++) {
      let res: WireResult;
      if (n % 5 === 4) {
        const others = [clients[(i + 1) % clients.length], clients[(i + 2) % clients.length]].map((o) => o.userId);
        res = await c.lambda('chat:create_conversation', [others, `c${i}-${n}`, {}, {}]);
        if (res.kind === 'ok') ledger.ackedConversations.add(bare(res.result.conversation._id));
      } else if (n % 7 === 6) {
        const page = await c.lambda('chat:get_messages', [conv, 5]);
        res = page.kind === 'ok' && page.result.results.length > 0 ? await c.lambda('chat:mark_as_read', [page.result.results.map((m: any) => bare(m._id))]) : page;
      } else {
        res = await send(c, conv, `w${i} n${n}`);
      }
      if (res.kind === 'error') odd.push(res);
      if (res.kind === 'transport') {
        transport.push(res);
        await new Promise((r) => setTimeout(r, 20)); // the server is down: do not spin
      }
    }
  };
  return Promise.all(clients.map(worker)).then(() => ({ errors: odd, transport }));
}

async function until(probe: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function expectConsistent(): Promise<void> {
  const verdict = await verify(db, ledger);
  expect(verdict.problems).toEqual([]);
}

test('SIGKILL during sends and creates loses no acknowledged write and half-creates nothing', async () => {
  const clients = await users(8, 'kill');
  const conv = await createGroup(clients[0], clients.slice(1));
  let stopped = false;
  const acked = () => ledger.ackedMessages.size;
  const load = startLoad(clients, conv, () => stopped);
  await until(() => acked() >= 80, '80 acknowledged messages');
  await server.stop('SIGKILL');
  figures.kills++;
  const ackedAtKill = acked();
  await new Promise((r) => setTimeout(r, 300)); // the workers now see refused connections
  stopped = true;
  const { errors: odd } = await load;
  // Before the kill every failure must have been a Skygear error; after it, transport failures.
  for (const res of odd) expect(res.kind === 'error' && res.error.code > 0 && res.status < 600).toBe(true);
  expect(acked()).toBe(ackedAtKill); // nothing can be acknowledged by a dead server

  await server.start();
  figures.restarts++;
  await expectConsistent();
  // The same clients (same tokens) carry on after the restart.
  for (const c of clients) expect((await send(c, conv, 'after restart')).kind).toBe('ok');
  await expectConsistent();
}, 120_000);

test('database connections terminated mid-request: an error, no partial write, and the server recovers', async () => {
  const clients = await users(6, 'term');
  const conv = await createGroup(clients[0], clients.slice(1));
  let stopped = false;
  const load = startLoad(clients, conv, () => stopped);
  const before = ledger.ackedMessages.size;
  await until(() => ledger.ackedMessages.size >= before + 20, 'the load to be running');
  for (let round = 0; round < 8; round++) {
    const res = await db.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = 'test' AND application_name = $1 AND pid <> pg_backend_pid()`,
      [pgAppName],
    );
    figures.terminatedBackends += res.rows.filter((r) => r.ok).length;
    await new Promise((r) => setTimeout(r, 60));
  }
  stopped = true;
  const { errors: odd, transport } = await load;
  figures.failedDuringFaults += odd.length + transport.length;
  expect(figures.terminatedBackends).toBeGreaterThan(0);
  if (!server.alive) throw new Error(`the server died when its database connections were terminated:\n${server.output.slice(-3000)}`);
  // Every affected request got an error envelope with a code, never a hang or a connection reset.
  expect(transport).toEqual([]);
  for (const res of odd) {
    if (res.kind !== 'error') continue;
    expect(typeof res.error.code).toBe('number');
    figures.codes[`${res.status}/${res.error.code}`] = (figures.codes[`${res.status}/${res.error.code}`] ?? 0) + 1;
  }
  // Recovery: every request after the terminations succeeds.
  for (const c of clients) {
    expect((await send(c, conv, 'after terminate')).kind).toBe('ok');
    expect((await c.lambda('chat:get_conversation', [conv])).kind).toBe('ok');
  }
  await expectConsistent();
}, 120_000);

test('a client away during a server outage catches up with get_messages cursors', async () => {
  const [reader, ...senders] = await users(4, 'away');
  const conv = await createGroup(reader, senders);
  await send(senders[0], conv, 'seen before going away');
  const latest = await reader.lambda('chat:get_messages', { conversation_id: conv, limit: 1 });
  if (latest.kind !== 'ok') throw new Error(JSON.stringify(latest));
  const cursor = latest.result.results[0];
  const cursorId = bare(cursor._id);
  const sentWhileAway: string[] = [];
  const sendAway = async (i: number) => {
    const res = await send(senders[i % senders.length], conv, `away ${i}`);
    if (res.kind !== 'ok') throw new Error(`send ${i}: ${JSON.stringify(res)}`);
    sentWhileAway.push(bare(res.result._id));
  };
  for (let i = 0; i < 9; i++) await sendAway(i);
  await server.stop('SIGKILL');
  figures.kills++;
  await server.start();
  figures.restarts++;
  for (let i = 9; i < 17; i++) await sendAway(i);

  // Forward from the last message seen, 4 at a time (each page newest first).
  const forward: string[] = [];
  let after = cursorId;
  for (let pages = 0; pages < 20; pages++) {
    const page = await reader.lambda('chat:get_messages', { conversation_id: conv, after_message_id: after, limit: 4 });
    if (page.kind !== 'ok') throw new Error(JSON.stringify(page));
    const ids = (page.result.results as any[]).map((m) => bare(m._id)).reverse();
    if (ids.length === 0) break;
    forward.push(...ids);
    after = ids[ids.length - 1];
  }
  expect(forward).toEqual(sentWhileAway);

  // Backward by time from now down to the cursor's time, 5 at a time.
  const backward: string[] = [];
  let before: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const args: Record<string, unknown> = { conversation_id: conv, limit: 5 };
    if (before) args.before_time = before;
    const page = await reader.lambda('chat:get_messages', args);
    if (page.kind !== 'ok') throw new Error(JSON.stringify(page));
    const rows = page.result.results as any[];
    const fresh = rows.filter((m) => bare(m._id) !== cursorId && !backward.includes(bare(m._id)));
    backward.push(...fresh.map((m) => bare(m._id)));
    if (rows.length === 0 || rows.some((m) => bare(m._id) === cursorId)) break;
    before = rows[rows.length - 1]._created_at;
  }
  // Messages created in the same microsecond could share a page edge; none here are lost or doubled.
  expect([...backward].reverse()).toEqual(sentWhileAway);
  const unread = await reader.lambda('chat:get_conversation', [conv]);
  if (unread.kind !== 'ok') throw new Error(JSON.stringify(unread));
  // Everything sent while away, plus the message it had fetched but not marked read.
  expect(unread.result.conversation.unread_count).toBe(sentWhileAway.length + 1);
  await expectConsistent();
}, 120_000);
