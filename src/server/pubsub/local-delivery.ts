import type { Logger } from '../core/log';
import type { Delivery, HubName } from './pubsub';

/**
 * The delivery callbacks registered on one bus. A callback that throws is logged and does not stop
 * the others (or the publisher): one broken consumer must not silence a channel.
 */
export class LocalDeliveries {
  private readonly callbacks: Delivery[] = [];

  constructor(private readonly log: Logger) {}

  add(deliver: Delivery): void {
    this.callbacks.push(deliver);
  }

  deliver(hub: HubName, channels: readonly string[], data: unknown): void {
    for (const callback of this.callbacks) {
      try {
        callback(hub, channels, data);
      } catch (err) {
        this.log.error({ err, hub, channels }, 'pubsub delivery callback failed');
      }
    }
  }
}
