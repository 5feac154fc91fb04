import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { API_KEY } from './api';

/** A raw pubsub websocket like the JS client's: /pubsub?api_key=…, `sub` frames, `{channel,data}` deliveries. */
export function openSocket(baseUrl: string): Promise<WebSocket> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/pubsub?api_key=${encodeURIComponent(API_KEY)}`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('websocket open timed out')), 30_000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Subscribes and proves the subscription is live by publishing a ping to the channel and awaiting it. */
export function subscribeConfirmed(ws: WebSocket, channel: string, timeoutMs = 30_000): Promise<void> {
  const ping = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('message', on);
      reject(new Error('subscription not confirmed'));
    }, timeoutMs);
    const on = (raw: WebSocket.RawData) => {
      if (!raw.toString().includes(ping)) return;
      clearTimeout(timer);
      ws.off('message', on);
      resolve();
    };
    ws.on('message', on);
    ws.send(JSON.stringify({ action: 'sub', channel }));
    ws.send(JSON.stringify({ action: 'pub', channel, data: { event: 'ping', ping } }));
  });
}
