import type { Logger } from '../core/log';
import { LocalDeliveries } from './local-delivery';
import type { Delivery, HubName, PubsubBus } from './pubsub';

/**
 * In-process bus for a single node: a publish is delivered synchronously to this node's callbacks,
 * so messages from one publisher arrive in the order they were published.
 */
export class MemoryBus implements PubsubBus {
  private readonly local: LocalDeliveries;
  private closed = false;

  constructor(log: Logger) {
    this.local = new LocalDeliveries(log);
  }

  async publish(hub: HubName, channel: string, data: unknown): Promise<void> {
    await this.publishMany(hub, [channel], data);
  }

  async publishMany(hub: HubName, channels: readonly string[], data: unknown): Promise<void> {
    if (this.closed) return;
    if (channels.length > 0) this.local.deliver(hub, channels, data);
  }

  onMessage(deliver: Delivery): void {
    this.local.add(deliver);
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}
