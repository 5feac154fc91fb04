/**
 * A websocket client that never reads (its socket paused) cannot grow the server's memory without
 * bound, whatever it makes the server send it: frames published to its channel are shed once its
 * send buffer is over the bound (DEFAULT_MAX_BUFFERED_BYTES, 1 MiB), and a client that keeps sending
 * frames that need a reply while never reading them is disconnected. The server runs as a child
 * process so its resident memory can be read from /proc.
 */
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { ChildServer, freePort } from './child-server';

const API_KEY = 'slow-api-key';
let server: ChildServer;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  server = new ChildServer(await freePort(), {
    DATABASE_URL: 'memory://',
    APP_NAME: `slow_${randomBytes(3).toString('hex')}`,
    API_KEY,
    MASTER_KEY: 'slow-master',
    LOG_LEVEL: 'error',
  });
  await server.start();
}, 90_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  process.stdout.write(`slow consumer: ${JSON.stringify(figures)}\n`);
});

const rssMiB = (): number => {
  const status = readFileSync(`/proc/${server.proc!.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
};

async function open(): Promise<WebSocket> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/pubsub?api_key=${API_KEY}`);
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

const socketOf = (ws: WebSocket): net.Socket => (ws as unknown as { _socket: net.Socket })._socket;

/** Resolves once the server has taken every frame this client queued. */
const drained = (ws: WebSocket) =>
  new Promise<void>((resolve) => {
    const check = () => (ws.bufferedAmount === 0 || ws.readyState !== WebSocket.OPEN ? resolve() : setTimeout(check, 20));
    check();
  });

async function confirmSubscribed(ws: WebSocket, channel: string): Promise<void> {
  ws.send(JSON.stringify({ action: 'sub', channel }));
  const marker = randomBytes(4).toString('hex');
  const seen = new Promise<void>((resolve) => {
    const onMessage = (raw: WebSocket.RawData) => {
      if (raw.toString().includes(marker)) {
        ws.off('message', onMessage);
        resolve();
      }
    };
    ws.on('message', onMessage);
  });
  ws.send(JSON.stringify({ action: 'pub', channel, data: { marker } }));
  await seen;
}

test('100 MB published to a subscriber that never reads: shed, memory bounded, other subscribers get everything', async () => {
  const channel = `room-${randomBytes(4).toString('hex')}`;
  const stalled = await open();
  const fast = await open();
  const publisher = await open();
  await confirmSubscribed(stalled, channel);
  await confirmSubscribed(fast, channel);
  socketOf(stalled).pause(); // never reads again: the kernel buffers fill, then the server's

  const frames = 2_000;
  const payload = 'x'.repeat(50 * 1024);
  let received = 0;
  fast.on('message', (raw) => {
    if (raw.toString().includes('"n":')) received++;
  });
  // The publisher waits for the reading subscriber every 10 frames (500 KB), so that one is never
  // over the bound itself; the stalled one falls behind by everything.
  const publishBatch = async (from: number, to: number) => {
    for (let n = from; n < to; n++) {
      publisher.send(JSON.stringify({ action: 'pub', channel, data: { n, payload } }));
      if (n % 10 === 9) {
        const deadline = Date.now() + 10_000;
        while (received < n + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      }
    }
  };
  await publishBatch(0, 200); // warm-up: the stalled socket's buffers fill here
  const baseline = rssMiB();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 50);
  await publishBatch(200, frames);
  clearInterval(sampler);
  const grown = peak - baseline;
  figures.publish = { frames, mb: (frames * payload.length) / 1e6, received, baselineMiB: Math.round(baseline), peakGrowthMiB: Math.round(grown) };
  expect(received).toBe(frames);
  // Without shedding the stalled socket would hold ~90 MB more by now.
  expect(grown).toBeLessThan(48);
  for (const ws of [stalled, fast, publisher]) ws.terminate();
}, 120_000);

test('a client that sends frames needing a reply but never reads them is disconnected', async () => {
  const stalled = await open();
  socketOf(stalled).pause();
  const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  const baseline = rssMiB();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 50);
  // Each unknown action gets the reply "Unknow action" (Go's text), which this client never reads.
  // The kernel's loopback buffers absorb several MB of replies before the server's own send buffer
  // grows, and a busy server reads our frames late: so keep sending (bounded in count and time)
  // until the server cuts the connection, which the next writes notice.
  const frame = JSON.stringify({ action: 'shout', channel: 'c' });
  const deadline = Date.now() + 60_000;
  let sent = 0;
  for (; sent < 2_000_000 && !isClosed && stalled.readyState === WebSocket.OPEN && Date.now() < deadline; sent++) {
    stalled.send(frame);
    if (sent % 5_000 === 4_999) await drained(stalled);
  }
  // Still not reading: give the server time to work through what it received and cut us off.
  await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
  socketOf(stalled).resume();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
  clearInterval(sampler);
  const grown = peak - baseline;
  figures.replies = { sent, closed: isClosed, peakGrowthMiB: Math.round(grown) };
  expect(isClosed).toBe(true);
  expect(grown).toBeLessThan(64);
  stalled.terminate();
  // The server still serves everyone else.
  const other = await open();
  const channel = `after-${randomBytes(4).toString('hex')}`;
  await confirmSubscribed(other, channel);
  other.terminate();
}, 120_000);
