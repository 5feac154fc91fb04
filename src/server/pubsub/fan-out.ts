import WebSocket from 'ws';
import type { Logger } from '../core/log';
import { dataJSON, deliveryFrame } from './frames';
import type { Delivery } from './pubsub';
import type { SubscriptionRegistry } from './registry';

/**
 * The bus's delivery callback for this node: one serialisation per message (however many channels it
 * is for), then a send to every local subscriber of each of its channels on that hub.
 *
 * Slow consumers: a socket whose send buffer (`bufferedAmount`: bytes queued in ws and in the kernel
 * socket's user-space buffer) is above `maxBufferedBytes` skips the message, so a stalled client
 * holds at most that much plus one frame and never delays anyone else. Go drops a message for a
 * subscriber that does not take it within about 1 s; this is the same promise, measured in bytes.
 */
export function createFanOut(
  registry: SubscriptionRegistry<WebSocket>,
  opts: { maxBufferedBytes: number; log: Logger; isClosed: () => boolean },
): Delivery {
  const { maxBufferedBytes, log } = opts;
  return (hub, channels, data) => {
    if (opts.isClosed()) return;
    let json: string | undefined; // serialised once per message, on the first channel with a subscriber
    for (const channel of channels) {
      const sockets = registry.subscribers(hub, channel);
      if (!sockets || sockets.size === 0) continue;
      try {
        json ??= dataJSON(data);
      } catch (err) {
        log.warn({ err, hub, channel }, 'pubsub: message data cannot be serialised; dropped');
        return;
      }
      const frame = deliveryFrame(channel, json);
      for (const socket of sockets) {
        if (socket.readyState !== WebSocket.OPEN) continue;
        if (socket.bufferedAmount > maxBufferedBytes) {
          log.debug({ hub, channel, buffered: socket.bufferedAmount }, 'pubsub: slow subscriber; message dropped for it');
          continue;
        }
        try {
          socket.send(frame);
        } catch (err) {
          log.debug({ err, hub, channel }, 'pubsub: send to a subscriber failed');
        }
      }
    }
  };
}
