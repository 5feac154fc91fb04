/**
 * What every PubsubBus must do, as a suite function: memory.test.ts and redis.test.ts run it
 * against their bus, then add the tests only that bus needs.
 */
import type { HubName, PubsubBus } from '../../../src/server/pubsub/pubsub';
import { waitFor } from './helpers';

type Received = { hub: HubName; channel: string; data: unknown };

export function runBusConformance(name: string, makeBus: () => PubsubBus): void {
  describe(`PubsubBus conformance: ${name}`, () => {
    let bus: PubsubBus;
    let received: Received[];

    beforeEach(async () => {
      bus = makeBus();
      received = [];
      bus.onMessage((hub, channels, data) => {
      for (const channel of channels) received.push({ hub, channel, data });
    });
      await bus.ready?.();
    });

    afterEach(async () => {
      await bus.close();
    });

    /** Publishes a marker and waits for it: everything published before it has been delivered. */
    async function flush(): Promise<void> {
      const marker = { marker: Math.random() };
      await bus.publish('public', 'marker', marker);
      await waitFor(() => received.some((r) => r.channel === 'marker'), 'the marker');
      received = received.filter((r) => r.channel !== 'marker');
    }

    it('delivers a published message to this node with its hub, channel and data', async () => {
      await bus.publish('public', 'room', { msg: 'hi', n: 1, nested: { ok: true } });
      await waitFor(() => received.length === 1, 'one delivery');
      expect(received).toEqual([{ hub: 'public', channel: 'room', data: { msg: 'hi', n: 1, nested: { ok: true } } }]);
      await flush();
      expect(received).toHaveLength(1); // delivered exactly once
    });

    it('publishMany delivers the same data once to each of its channels, in the order given', async () => {
      const data = { event: 'create', n: 7 };
      await bus.publishMany('public', ['alice', 'bob', 'carol'], data);
      await waitFor(() => received.length === 3, 'three deliveries');
      expect(received).toEqual(['alice', 'bob', 'carol'].map((channel) => ({ hub: 'public', channel, data })));
      await bus.publishMany('public', [], { nobody: true });
      await flush();
      expect(received).toHaveLength(3);
    });

    it('keeps the hubs apart: a delivery names the hub it was published on', async () => {
      await bus.publish('internal', 'same-name', { on: 'internal' });
      await bus.publish('public', 'same-name', { on: 'public' });
      await waitFor(() => received.length === 2, 'two deliveries');
      expect(received).toEqual([
        { hub: 'internal', channel: 'same-name', data: { on: 'internal' } },
        { hub: 'public', channel: 'same-name', data: { on: 'public' } },
      ]);
    });

    it("keeps one publisher's messages in order", async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => bus.publish('public', 'ordered', { i })));
      await waitFor(() => received.length === 50, '50 deliveries');
      expect(received.map((r) => (r.data as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('calls every registered callback, even when one of them throws', async () => {
      const second: Received[] = [];
      bus.onMessage(() => {
        throw new Error('a broken consumer');
      });
      bus.onMessage((hub, channels, data) => {
      for (const channel of channels) second.push({ hub, channel, data });
    });
      await expect(bus.publish('public', 'room', { x: 1 })).resolves.toBeUndefined();
      await waitFor(() => received.length === 1 && second.length === 1, 'both healthy callbacks');
      expect(second).toEqual(received);
    });

    it('delivers non-object JSON values verbatim (the protocol allows any non-null value)', async () => {
      await bus.publish('public', 'values', 'text');
      await bus.publish('public', 'values', [1, 'two']);
      await bus.publish('public', 'values', 0);
      await waitFor(() => received.length === 3, 'three deliveries');
      expect(received.map((r) => r.data)).toEqual(['text', [1, 'two'], 0]);
    });

    it('after close, publish resolves and delivers nothing; close is idempotent', async () => {
      await bus.close();
      await expect(bus.publish('public', 'room', { late: true })).resolves.toBeUndefined();
      await expect(bus.close()).resolves.toBeUndefined();
      expect(received).toEqual([]);
    });
  });
}
