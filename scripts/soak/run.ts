/**
 * `npm run soak`: hours of running, compressed into a bounded run. The server (real entry point,
 * chat plugin, PostgreSQL) runs as a child process; clients send a moderate mixed load while every
 * one of them also listens on a realtime websocket. Every interval it prints the server's RSS, heap
 * after a full GC, open file descriptors, and the interval's operation latency p50/p99; at the end it
 * fits a trend to each series (the first interval is warm-up and not fitted) and checks I1–I5 and
 * the message ledger.
 *
 *   SOAK_MINUTES (15)   SOAK_INTERVAL_S (60)   SOAK_CLIENTS (24)   SOAK_RATE (60 operations/s in all)
 *   SOAK_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test)   SOAK_REDIS_URL (unset: in-memory pubsub)
 *
 * Exit 0 = RSS, heap, descriptors and p99 flat, no unexpected response, invariants hold;
 * 1 = a growth trend, unexpected responses or violations (listed); 2 = the run failed;
 * 3 = the hard time bound (SOAK_MINUTES + 5 min) was hit. Loopback only; the schema is dropped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { openDriver } from '../../src/server/db/open';
import { verify } from '../stress/check';
import { Ledger } from '../stress/ledger';
import { WireClient, type WireResult, bare, messageRecord } from '../stress/wire';
import { percentile, trend } from './trend';

const REPO = path.resolve(__dirname, '../..');
const API_KEY = 'soak-api-key';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

const minutes = num('SOAK_MINUTES', 15);
const intervalMs = num('SOAK_INTERVAL_S', 60) * 1000;
const clientCount = Math.floor(num('SOAK_CLIENTS', 24));
const rate = num('SOAK_RATE', 60);
const databaseUrl = process.env.SOAK_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.SOAK_REDIS_URL;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface HeapReport {
  heapUsed: number;
  heapTotal: number;
  external: number;
  rss: number;
}

/** The server as a child process with the heap probe preloaded (IPC: 'heap?' → HeapReport). */
class SoakServer {
  readonly proc: ChildProcess;
  output = '';
  constructor(readonly url: string, env: Record<string, string>) {
    this.proc = spawn(
      process.execPath,
      ['--expose-gc', '--require', 'tsx/cjs', '--require', path.join(__dirname, 'heap-probe.cjs'), 'src/server/main.ts'],
      { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
  }

  async healthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`server exited during start-up:\n${this.output}`);
      const ok = await fetch(`${this.url}/_status/healthz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`server not healthy after ${timeoutMs} ms:\n${this.output}`);
      await sleep(100);
    }
  }

  heap(): Promise<HeapReport> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no heap report from the server')), 10_000);
      this.proc.once('message', (m) => {
        clearTimeout(timer);
        resolve(m as HeapReport);
      });
      this.proc.send('heap?');
    });
  }

  rssMiB(): number {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'))![1]) / 1024;
  }

  openFds(): number {
    return readdirSync(`/proc/${this.proc.pid}/fd`).length;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

/** A user's realtime socket as the client keeps one: a user_channel in the private DB, subscribed. */
class Listener {
  frames = 0;
  private ws: WebSocket | undefined;
  private channel = '';
  constructor(private readonly client: WireClient, private readonly wsUrl: string) {}

  async open(): Promise<void> {
    if (!this.channel) {
      this.channel = randomUUID();
      const saved = await this.client.saveRecord('_private', { _id: `user_channel/${randomUUID()}`, _access: null, name: this.channel });
      if (saved.kind !== 'ok') throw new Error(`user_channel: ${JSON.stringify(saved)}`);
    }
    const ws = new WebSocket(`${this.wsUrl}/pubsub?api_key=${API_KEY}`);
    ws.on('message', () => this.frames++);
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ action: 'sub', channel: this.channel }));
    this.ws = ws;
  }

  /** Churn: a client that drops its socket and comes back (a page reload, a network change). */
  async reconnect(): Promise<void> {
    this.close();
    await this.open();
  }

  close(): void {
    this.ws?.terminate();
  }
}

interface Interval {
  latencies: number[];
  ops: number;
  unexpected: number;
}

async function main(): Promise<number> {
  const hardStop = setTimeout(() => {
    process.stderr.write(`soak: hard time bound (${minutes + 5} min) hit, aborting\n`);
    process.exit(3);
  }, (minutes + 5) * 60_000);
  hardStop.unref();

  const appName = `soak_${randomBytes(5).toString('hex')}`;
  const schema = `app_${appName}`;
  const assetDir = await fs.mkdtemp(path.join(os.tmpdir(), 'soak-assets-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = new SoakServer(url, {
    DATABASE_URL: databaseUrl,
    APP_NAME: appName,
    API_KEY,
    MASTER_KEY: 'soak-master-key',
    PORT: String(port),
    HOST: '127.0.0.1',
    ASSET_STORE_PATH: assetDir,
    ASSET_STORE_SECRET: 'soak-secret',
    LOG_LEVEL: 'error',
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  });
  const listeners: Listener[] = [];
  const problems: string[] = [];
  try {
    await server.healthy();
    console.log(`soak: server ${url} (pid ${server.proc.pid}), schema ${schema}, ${minutes} min, ${clientCount} clients + listeners, ${rate} op/s`);

    const ledger = new Ledger();
    const clients: WireClient[] = [];
    for (let i = 0; i < clientCount; i++) {
      const c = new WireClient({ url, apiKey: API_KEY, timeoutMs: 30_000 });
      const res = await c.signup(`soak${i}_${randomBytes(3).toString('hex')}`);
      if (res.kind !== 'ok') throw new Error(`signup: ${JSON.stringify(res)}`);
      clients.push(c);
    }
    // Groups of four; each client talks in its group's conversation.
    const convOf = new Map<WireClient, string>();
    for (let g = 0; g < clients.length; g += 4) {
      const group = clients.slice(g, g + 4);
      const res = await group[0].lambda('chat:create_conversation', [group.slice(1).map((c) => c.userId), `soak ${g / 4}`, {}, {}]);
      if (res.kind !== 'ok') throw new Error(`create: ${JSON.stringify(res)}`);
      const cid = bare(res.result.conversation._id);
      ledger.ackedConversations.add(cid);
      for (const c of group) convOf.set(c, cid);
    }
    for (const c of clients) {
      const l = new Listener(c, url.replace('http', 'ws'));
      await l.open();
      listeners.push(l);
    }

    let current: Interval = { latencies: [], ops: 0, unexpected: 0 };
    const unexpected: string[] = [];
    let stopped = false;
    const timed = async (what: string, op: () => Promise<WireResult>): Promise<WireResult> => {
      const t0 = performance.now();
      const res = await op();
      current.latencies.push(performance.now() - t0);
      current.ops++;
      if (res.kind !== 'ok') {
        current.unexpected++;
        if (unexpected.length < 20) unexpected.push(`${what}: ${JSON.stringify(res).slice(0, 300)}`);
      }
      return res;
    };

    const perClientGapMs = (clientCount / rate) * 1000;
    const worker = async (c: WireClient, i: number) => {
      const cid = convOf.get(c)!;
      let lastPage: string[] = [];
      let typing = false;
      await sleep((i * perClientGapMs) / clientCount); // spread the clients over the first gap
      for (let n = 0; !stopped; n++) {
        const started = Date.now();
        const roll = Math.random();
        if (roll < 0.5) {
          const id = randomUUID();
          ledger.attemptMessage(id);
          const res = await timed('send', () => c.saveRecord(Math.random() < 0.25 ? '_private' : '_public', messageRecord(cid, `soak ${i}/${n}`, id)));
          if (res.kind === 'ok') ledger.ackMessage({ id, conversationId: cid, senderId: c.userId!, databaseId: '' });
        } else if (roll < 0.65) {
          const res = await timed('get_messages', () => c.lambda('chat:get_messages', [cid, 20]));
          if (res.kind === 'ok') lastPage = (res.result.results as Array<{ _id: string }>).map((m) => bare(m._id));
        } else if (roll < 0.75) {
          if (lastPage.length > 0) await timed('mark_as_read', () => c.lambda('chat:mark_as_read', [lastPage]));
        } else if (roll < 0.85) {
          typing = !typing;
          await timed('typing', () => c.lambda('chat:typing', [cid, typing ? 'begin' : 'pause']));
        } else if (roll < 0.95) {
          await timed('get_conversations', () => c.lambda('chat:get_conversations', [1, 20]));
        } else {
          await timed('total_unread', () => c.lambda('chat:total_unread'));
        }
        await sleep(Math.max(0, perClientGapMs - (Date.now() - started)));
      }
    };
    const load = Promise.all(clients.map(worker));

    interface Sample {
      minute: number;
      rssMiB: number;
      heapMiB: number;
      fds: number;
      ops: number;
      p50: number;
      p99: number;
      unexpected: number;
      frames: number;
    }
    const samples: Sample[] = [];
    const header = 'soak: interval  rss MiB  heap MiB  fds  ops   p50 ms  p99 ms  unexpected  frames';
    console.log(header);
    const intervals = Math.max(1, Math.round((minutes * 60_000) / intervalMs));
    let churn = 0;
    for (let k = 1; k <= intervals; k++) {
      await sleep(intervalMs);
      const done = current;
      current = { latencies: [], ops: 0, unexpected: 0 };
      // One listener reconnects per interval: socket and subscription churn over the run.
      await listeners[churn++ % listeners.length].reconnect();
      const heap = await server.heap();
      const s: Sample = {
        minute: (k * intervalMs) / 60_000,
        rssMiB: server.rssMiB(),
        heapMiB: heap.heapUsed / 2 ** 20,
        fds: server.openFds(),
        ops: done.ops,
        p50: percentile(done.latencies, 50),
        p99: percentile(done.latencies, 99),
        unexpected: done.unexpected,
        frames: listeners.reduce((sum, l) => sum + l.frames, 0),
      };
      samples.push(s);
      console.log(
        `soak: ${String(k).padStart(8)}  ${s.rssMiB.toFixed(1).padStart(7)}  ${s.heapMiB.toFixed(1).padStart(8)}  ${String(s.fds).padStart(3)}  ${String(s.ops).padStart(5)}  ${s.p50.toFixed(1).padStart(6)}  ${s.p99.toFixed(1).padStart(6)}  ${String(s.unexpected).padStart(10)}  ${s.frames}`,
      );
    }
    stopped = true;
    await load;

    const fitted = samples.length > 2 ? samples.slice(1) : samples;
    const trends = {
      rss: trend(fitted.map((s) => s.rssMiB), 0.1, 8),
      heap: trend(fitted.map((s) => s.heapMiB), 0.1, 4),
      fds: trend(fitted.map((s) => s.fds), 0, 5),
      p99: trend(fitted.map((s) => s.p99), 0.5, 10),
    };
    for (const [name, t] of Object.entries(trends)) {
      console.log(`soak: trend ${name}: mean ${t.mean.toFixed(1)}, fitted change over the run ${t.impliedGrowth >= 0 ? '+' : ''}${t.impliedGrowth.toFixed(1)} → ${t.flat ? 'flat' : 'GROWING'}`);
      if (!t.flat) problems.push(`${name} grows: ${t.impliedGrowth.toFixed(1)} over the run (mean ${t.mean.toFixed(1)})`);
    }
    const totalUnexpected = samples.reduce((sum, s) => sum + s.unexpected, 0);
    if (totalUnexpected > 0) problems.push(`${totalUnexpected} unexpected responses, e.g.:\n  ${unexpected.join('\n  ')}`);

    const db = await openDriver(databaseUrl, schema);
    try {
      const verdict = await verify(db, ledger);
      problems.push(...verdict.problems);
      console.log(`soak: ${samples.reduce((sum, s) => sum + s.ops, 0)} operations, ${ledger.ackedMessages.size} messages acknowledged, ${verdict.storedMessages} stored; invariants ${verdict.problems.length === 0 ? 'hold' : 'VIOLATED'}`);
    } finally {
      await db.close();
    }
    console.log(`soak: summary ${JSON.stringify({ minutes, clients: clientCount, rate, samples, trends })}`);
  } catch (err) {
    console.error(`soak: the run failed: ${err instanceof Error ? err.stack : String(err)}\n${server.output.slice(-3000)}`);
    return 2;
  } finally {
    for (const l of listeners) l.close();
    await server.stop();
    const admin = await openDriver(databaseUrl, 'public');
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin.close();
    await fs.rm(assetDir, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    console.log(`soak: FAILED\n  ${problems.join('\n  ')}`);
    return 1;
  }
  console.log('soak: passed (flat)');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
