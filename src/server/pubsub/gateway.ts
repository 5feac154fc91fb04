import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { ErrorCodes, SkygearError } from '../core/errors';
import type { Logger } from '../core/log';
import { type UpgradeKeyType, verifyUpgradeApiKey } from './api-key';
import { serveConnection } from './connection';
import { createFanOut } from './fan-out';
import type { HubName, PubsubBus } from './pubsub';
import { SubscriptionRegistry } from './registry';
import { rejectUpgrade } from './upgrade-rejection';

/** Messages for a subscriber with more than this queued are dropped for it (see fan-out.ts). */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/** Largest client frame accepted; a bigger one closes that connection with 1009. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface PubsubGatewayOptions {
  apiKey: string;
  masterKey: string;
  log: Logger;
  maxBufferedBytes?: number;
  maxPayloadBytes?: number;
}

export interface PubsubGateway {
  /** Terminates every pubsub socket; later upgrade requests are refused. */
  close(): Promise<void>;
  /** Open pubsub websockets on this node, both hubs. */
  connectionCount(): number;
  /** Local sockets subscribed to a channel (for tests and diagnostics). */
  subscriberCount(hub: HubName, channel: string): number;
}

/** Exact paths, no trailing slash (Part B §1.1). */
const HUB_BY_PATH = new Map<string, HubName>([
  ['/pubsub', 'public'],
  ['/_/pubsub', 'internal'],
]);

/**
 * Serves Skygear's pubsub websockets on an existing http.Server: `/pubsub` (public hub) and
 * `/_/pubsub` (internal hub). It takes over the server's `upgrade` event: any other upgrade path is
 * answered 404. Publishes go through the bus (so other nodes get them); the bus delivers to the
 * local subscribers.
 */
export function attachPubsubGateway(server: Server, bus: PubsubBus, opts: PubsubGatewayOptions): PubsubGateway {
  const { log } = opts;
  const registry = new SubscriptionRegistry<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
  });
  let closing: Promise<void> | undefined;
  const maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;

  bus.onMessage(
    createFanOut(registry, {
      maxBufferedBytes,
      log,
      isClosed: () => closing !== undefined,
    }),
  );

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Until ws owns the socket, a reset by the peer must not become an uncaught 'error'.
    const onSocketError = (err: Error): void => log.debug({ err }, 'pubsub: socket error before upgrade');
    socket.on('error', onSocketError);

    const hub = HUB_BY_PATH.get(pathOf(req.url));
    if (!hub) {
      rejectUpgrade(socket, new SkygearError('route unmatched', ErrorCodes.UndefinedOperation));
      return;
    }
    if (closing) {
      socket.destroy();
      return;
    }
    let keyType: UpgradeKeyType;
    try {
      keyType = verifyUpgradeApiKey(req, opts);
    } catch (err) {
      rejectUpgrade(socket, SkygearError.from(err));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onSocketError);
      if (closing) {
        ws.terminate();
        return;
      }
      log.debug({ hub, keyType }, 'pubsub: websocket connected');
      serveConnection(ws, hub, { registry, bus, log, maxBufferedBytes });
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      });
      return closing;
    },
    connectionCount: () => wss.clients.size,
    subscriberCount: (hub, channel) => registry.subscriberCount(hub, channel),
  };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end < 0 ? raw : raw.slice(0, end);
}
