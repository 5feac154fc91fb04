import { silentLogger } from '../../../src/server/core/log';
import { MemoryBus } from '../../../src/server/pubsub/memory';
import {
  API_KEY,
  attemptUpgrade,
  MASTER_KEY,
  type Node,
  RawClient,
  roundTrip,
  startNode,
  subscribeAndConfirm,
  waitFor,
  withTimeout,
} from './helpers';

describe('pubsub gateway (raw ws clients)', () => {
  let node: Node;
  const clients: RawClient[] = [];
  const connect = async (path = '/pubsub', key = API_KEY): Promise<RawClient> => {
    const client = await RawClient.open(node.wsUrl(path, key));
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    node = await startNode(new MemoryBus(silentLogger));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await node.close();
  });

  describe('frames', () => {
    it('delivers a pub to every subscriber of the channel, the publisher included, as {channel,data}', async () => {
      const alice = await connect();
      const bob = await connect();
      await subscribeAndConfirm(alice, 'room');
      await subscribeAndConfirm(bob, 'room');

      alice.pub('room', { msg: 'hi', n: [1, 2] });
      for (const client of [alice, bob]) {
        expect(await client.next('the delivery')).toBe('{"channel":"room","data":{"msg":"hi","n":[1,2]}}');
      }
    });

    it('does not deliver to a publisher that is not subscribed, nor to other channels', async () => {
      const publisher = await connect();
      const other = await connect();
      const sub = await connect();
      await subscribeAndConfirm(sub, 'room');
      await subscribeAndConfirm(other, 'elsewhere');

      publisher.pub('room', { x: 1 });
      expect(await sub.nextJson()).toEqual({ channel: 'room', data: { x: 1 } });
      await roundTrip(other);
      await roundTrip(publisher);
      expect(other.pending()).toEqual([]);
      expect(publisher.pending()).toEqual([]);
    });

    it('sub is idempotent per connection (one delivery, not two)', async () => {
      const client = await connect();
      client.sub('room');
      await subscribeAndConfirm(client, 'room');
      expect(node.gateway.subscriberCount('public', 'room')).toBe(1);
      client.pub('room', { once: true });
      expect(await client.nextJson()).toEqual({ channel: 'room', data: { once: true } });
      await roundTrip(client);
      expect(client.pending()).toEqual([]);
    });

    it('unsub stops delivery to that connection only', async () => {
      const leaver = await connect();
      const stayer = await connect();
      await subscribeAndConfirm(leaver, 'room');
      await subscribeAndConfirm(stayer, 'room');

      leaver.send({ action: 'unsub', channel: 'room' });
      await waitFor(() => node.gateway.subscriberCount('public', 'room') === 1, 'the unsub');
      stayer.pub('room', { after: 'unsub' });
      expect(await stayer.nextJson()).toEqual({ channel: 'room', data: { after: 'unsub' } });
      await roundTrip(leaver);
      expect(leaver.pending()).toEqual([]);
    });

    it('publishes any non-null JSON value verbatim, re-serialised compactly', async () => {
      const client = await connect();
      await subscribeAndConfirm(client, 'values');
      client.send('{ "action" : "pub", "channel" : "values", "data" : [ 1, "two", { "three" : 3 } ] }');
      client.pub('values', 'plain string');
      client.pub('values', false);
      expect(await client.next()).toBe('{"channel":"values","data":[1,"two",{"three":3}]}');
      expect(await client.next()).toBe('{"channel":"values","data":"plain string"}');
      expect(await client.next()).toBe('{"channel":"values","data":false}');
    });

    it('answers an unknown action with "Unknow action" and keeps the connection open', async () => {
      const client = await connect();
      client.send({ action: 'subscribe', channel: 'room' });
      expect(await client.next()).toBe('Unknow action');
      client.send({ channel: 'room' }); // no action at all
      expect(await client.next()).toBe('Unknow action');
      await subscribeAndConfirm(client, 'room'); // still usable
      expect(client.closeCode).toBeUndefined();
    });

    it.each([
      ['undecodable JSON', 'not json', /^Error: .+ \nClosing Connection$/],
      ['a JSON array', '[1,2]', /^Error: .+ \nClosing Connection$/],
      ['a non-string channel', '{"action":"sub","channel":42}', /^Error: .+ \nClosing Connection$/],
      ['a missing channel', '{"action":"sub"}', /^Error: channel should not be empty\. Closing Connection$/],
      ['an empty channel', '{"action":"pub","channel":"","data":{}}', /^Error: channel should not be empty\. Closing Connection$/],
      ['JSON null', 'null', /^Error: channel should not be empty\. Closing Connection$/],
      ['a pub without data', '{"action":"pub","channel":"room"}', /^Error: missing data to publish\. Closing Connection$/],
      ['a pub with null data', '{"action":"pub","channel":"room","data":null}', /^Error: missing data to publish\. Closing Connection$/],
    ])('on %s: sends the error text, then closes', async (_case, frame, text) => {
      const client = await connect();
      client.send(frame);
      expect(await client.next('the error text')).toMatch(text);
      await withTimeout(client.closed, 'the close');
      expect(client.closeCode).toBeDefined();
      await waitFor(() => node.gateway.connectionCount() === 0, 'the server to drop it');
    });

    it('forgets all subscriptions of a connection that goes away, without affecting others', async () => {
      const gone = await connect();
      const stays = await connect();
      await subscribeAndConfirm(gone, 'a');
      await subscribeAndConfirm(gone, 'b');
      await subscribeAndConfirm(stays, 'a');
      gone.ws.terminate();
      await waitFor(() => node.gateway.subscriberCount('public', 'b') === 0, 'cleanup');
      expect(node.gateway.subscriberCount('public', 'a')).toBe(1);
      stays.pub('a', { still: 'works' });
      expect(await stays.nextJson()).toEqual({ channel: 'a', data: { still: 'works' } });
    });

    it('answers protocol pings and requires none', async () => {
      const client = await connect();
      const pong = new Promise<string>((resolve) => client.ws.once('pong', (data) => resolve(data.toString())));
      client.ws.ping('are you there');
      expect(await withTimeout(pong, 'the pong')).toBe('are you there');
    });
  });

  describe('hubs', () => {
    it('serves /pubsub and /_/pubsub as separate hubs', async () => {
      const pub = await connect('/pubsub');
      const internal = await connect('/_/pubsub');
      await subscribeAndConfirm(pub, 'shared-name');
      await subscribeAndConfirm(internal, 'shared-name');

      internal.pub('shared-name', { hub: 'internal' });
      expect(await internal.nextJson()).toEqual({ channel: 'shared-name', data: { hub: 'internal' } });
      pub.pub('shared-name', { hub: 'public' });
      expect(await pub.nextJson()).toEqual({ channel: 'shared-name', data: { hub: 'public' } });
      await roundTrip(pub);
      expect(pub.pending()).toEqual([]);
      expect(internal.pending()).toEqual([]);
      expect(node.gateway.subscriberCount('internal', 'shared-name')).toBe(1);
      expect(node.gateway.subscriberCount('public', 'shared-name')).toBe(1);
    });

    it('delivers what the server publishes on the bus (plugins, record notifications) to local subscribers', async () => {
      const internal = await connect('/_/pubsub');
      await subscribeAndConfirm(internal, '_sub_device1');
      await node.bus.publish('internal', '_sub_device1', { 'seq-num': 42, 'subscription-id': 'sub1' });
      expect(await internal.next()).toBe('{"channel":"_sub_device1","data":{"seq-num":42,"subscription-id":"sub1"}}');
    });
  });

  describe('upgrade checks (plain HTTP before any upgrade)', () => {
    it.each(['/pubsub', '/_/pubsub'])('%s without a key: 401 code 101 "Api key is empty"', async (path) => {
      for (const target of [path, `${path}?api_key=`, `${path}?other=1`]) {
        const answer = await attemptUpgrade(node.port, target);
        expect(answer.status).toBe(401);
        expect(JSON.parse(answer.body)).toEqual({ error: { name: 'NotAuthenticated', code: 101, message: 'Api key is empty' } });
      }
    });

    it.each(['/pubsub', '/_/pubsub'])('%s with a wrong key: 401 code 103', async (path) => {
      const answer = await attemptUpgrade(node.port, `${path}?api_key=wrong`);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({
        error: { name: 'AccessKeyNotAccepted', code: 103, message: 'Cannot verify api key: `wrong`' },
      });
      const byHeader = await attemptUpgrade(node.port, path, { 'X-Skygear-Api-Key': 'wrong' });
      expect(byHeader.status).toBe(401);
      expect(JSON.parse(byHeader.body).error.code).toBe(103);
    });

    it.each(['/pubsub', '/_/pubsub'])('%s accepts the client key and the master key, in the query or the header', async (path) => {
      for (const key of [API_KEY, MASTER_KEY]) {
        expect((await attemptUpgrade(node.port, `${path}?api_key=${key}`)).status).toBe(101);
        expect((await attemptUpgrade(node.port, path, { 'X-Skygear-API-Key': key })).status).toBe(101);
      }
    });

    it('refuses other upgrade paths with 404 (exact paths, no trailing slash)', async () => {
      for (const target of [`/pubsub/?api_key=${API_KEY}`, `/pubsubs?api_key=${API_KEY}`, `/_/pubsub/x?api_key=${API_KEY}`, '/']) {
        const answer = await attemptUpgrade(node.port, target);
        expect(answer.status).toBe(404);
        expect(JSON.parse(answer.body).error).toMatchObject({ code: 117, name: 'UndefinedOperation' });
      }
      expect(node.gateway.connectionCount()).toBe(0);
    });
  });

  describe('keys the 1.7.2 client sends without URL-encoding', () => {
    let odd: Node;
    afterEach(async () => odd.close());

    it('accepts a key containing + and % exactly as written, and its decoded form', async () => {
      odd = await startNode(new MemoryBus(silentLogger), { apiKey: 'a+b%zz', masterKey: 'm a+s' });
      expect((await attemptUpgrade(odd.port, '/pubsub?api_key=a+b%zz')).status).toBe(101);
      expect((await attemptUpgrade(odd.port, '/pubsub?api_key=m%20a%2Bs')).status).toBe(101);
      expect((await attemptUpgrade(odd.port, '/pubsub?api_key=a+b')).status).toBe(401);
    });
  });

  describe('lifecycle', () => {
    it('counts connections and drops them on close; later upgrades are refused', async () => {
      const a = await connect('/pubsub');
      await connect('/_/pubsub');
      expect(node.gateway.connectionCount()).toBe(2);
      await a.close();
      await waitFor(() => node.gateway.connectionCount() === 1, 'one connection left');

      await node.gateway.close();
      expect(node.gateway.connectionCount()).toBe(0);
      await waitFor(() => clients.every((c) => c.closeCode !== undefined), 'clients to see the close');
      await expect(RawClient.open(node.wsUrl('/pubsub'))).rejects.toThrow();
      await expect(node.gateway.close()).resolves.toBeUndefined(); // idempotent
    });

    it('drops messages for a subscriber whose send buffer is over the bound, and keeps serving the others', async () => {
      const slowNode = await startNodeWithBound(256 * 1024);
      const slow = await RawClient.open(slowNode.wsUrl('/pubsub'));
      const fast = await RawClient.open(slowNode.wsUrl('/pubsub'));
      const slowSocket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
      try {
        await subscribeAndConfirm(slow, 'room');
        await subscribeAndConfirm(fast, 'room');
        // The slow client stops reading: the kernel buffers fill, then the server's send buffer.
        slowSocket.pause();
        // 200 × 128 KiB = 25 MiB, far more than loopback socket buffers hold. The fast client
        // waits for each message before publishing the next, so its own buffer stays empty.
        const big = 'x'.repeat(128 * 1024);
        const total = 200;
        for (let i = 0; i < total; i++) {
          fast.pub('room', { i, big });
          const got = JSON.parse(await fast.next(`message ${i}`)) as { data: { i: number } };
          expect(got.data.i).toBe(i);
        }
        slowSocket.resume();
        // Still connected and served once it catches up (a probe sent while its buffer is still
        // over the bound is itself dropped, hence the retries).
        await retry(() => roundTrip(slow, 1000), 10);
        const seen = slow.messages
          .map((m) => JSON.parse(m) as { channel: string; data: { i: number } })
          .filter((m) => m.channel === 'room')
          .map((m) => m.data.i);
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.length).toBeLessThan(total);
        expect([...seen].sort((a, b) => a - b)).toEqual(seen); // a subsequence, in order
      } finally {
        slowSocket.resume();
        slow.ws.terminate();
        fast.ws.terminate();
        await slowNode.close();
      }
    });
  });
});

async function retry(attempt: () => Promise<void>, times: number): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= times) throw err;
    }
  }
}

/** A node whose slow-consumer bound is tiny, so the test needs little data. */
async function startNodeWithBound(maxBufferedBytes: number): Promise<Node> {
  const http = await import('node:http');
  const { attachPubsubGateway } = await import('../../../src/server/pubsub/gateway');
  const bus = new MemoryBus(silentLogger);
  const server = http.createServer();
  const gateway = attachPubsubGateway(server, bus, { apiKey: API_KEY, masterKey: MASTER_KEY, log: silentLogger, maxBufferedBytes, maxPayloadBytes: 1024 * 1024 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    gateway,
    bus,
    port,
    endPoint: `http://127.0.0.1:${port}/`,
    wsUrl: (path, key = API_KEY) => `ws://127.0.0.1:${port}${path}?api_key=${key}`,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bus.close();
    },
  };
}

