import type { HubName } from './pubsub';

/**
 * This node's subscriptions: per hub, channel → sockets, plus each socket's channels so a
 * disconnect removes them all. The hubs are separate maps, so a channel name on one hub never
 * sees the other hub's messages. Sockets with no subscription cost nothing here.
 */
export class SubscriptionRegistry<Socket extends object> {
  private readonly byHub: Record<HubName, Map<string, Set<Socket>>> = { public: new Map(), internal: new Map() };
  private readonly channelsOf = new WeakMap<Socket, { hub: HubName; channels: Set<string> }>();

  /** Idempotent per socket and channel. A socket belongs to one hub (the path it connected to). */
  subscribe(hub: HubName, channel: string, socket: Socket): void {
    const channels = this.byHub[hub];
    let sockets = channels.get(channel);
    if (!sockets) channels.set(channel, (sockets = new Set()));
    sockets.add(socket);

    let own = this.channelsOf.get(socket);
    if (!own) this.channelsOf.set(socket, (own = { hub, channels: new Set() }));
    own.channels.add(channel);
  }

  unsubscribe(hub: HubName, channel: string, socket: Socket): void {
    this.detach(hub, channel, socket);
    this.channelsOf.get(socket)?.channels.delete(channel);
  }

  /** On disconnect. */
  unsubscribeAll(socket: Socket): void {
    const own = this.channelsOf.get(socket);
    if (!own) return;
    for (const channel of own.channels) this.detach(own.hub, channel, socket);
    this.channelsOf.delete(socket);
  }

  /** Live set (do not keep it): iteration tolerates sockets removed meanwhile. */
  subscribers(hub: HubName, channel: string): ReadonlySet<Socket> | undefined {
    return this.byHub[hub].get(channel);
  }

  subscriberCount(hub: HubName, channel: string): number {
    return this.byHub[hub].get(channel)?.size ?? 0;
  }

  /** Number of channels with at least one subscriber on a hub. */
  channelCount(hub: HubName): number {
    return this.byHub[hub].size;
  }

  private detach(hub: HubName, channel: string, socket: Socket): void {
    const sockets = this.byHub[hub].get(channel);
    if (!sockets) return;
    sockets.delete(socket);
    if (sockets.size === 0) this.byHub[hub].delete(channel);
  }
}
