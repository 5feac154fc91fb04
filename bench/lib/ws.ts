import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { API_KEY } from './api';

/** A raw pubsub websocket like the JS client's: /pubsub?api_key=…, `sub` frames, `{channel,data}` deliveries. */
export function openSocket(baseUrl: string): Promise<WebSocket> {
  // skipUTF8Validation: the load generator shares the machine it measures; a browser validates
  // its own frames on its own CPU (the fan-out section's full parse below checks the content).
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/pubsub?api_key=${encodeURIComponent(API_KEY)}`, {
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
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

/**
 * The record id of a chat `create` event for a `message` (chat-api.md §4:
 * `{"channel":…,"data":{"event":"create","data":{"record_type":"message",…,"record":{"_id":"message/…",…}}}}`),
 * read from the frame's bytes without parsing it: the fan-out section receives 20,000 frames a
 * second on the machine it measures, and a JSON.parse per frame was a third of the load
 * generator's CPU there. Key/value patterns cannot match inside a JSON string (its quotes are
 * escaped); `createdMessageIdParsed` is the full parse it is checked against.
 */
export function createdMessageId(frame: Buffer): string | undefined {
  if (frame.indexOf('"event":"create"') < 0 || frame.indexOf('"record_type":"message"') < 0) return undefined;
  const record = frame.indexOf('"record":{');
  const key = record < 0 ? -1 : frame.indexOf('"_id":"message/', record);
  if (key < 0) return undefined;
  const start = key + '"_id":"'.length;
  const end = frame.indexOf('"', start);
  return end < 0 ? undefined : frame.toString('utf8', start, end);
}

/** The same id by a full parse of the frame: the reference for `createdMessageId`. */
export function createdMessageIdParsed(frame: Buffer): string | undefined {
  const data = JSON.parse(frame.toString()).data;
  if (data?.event !== 'create' || data.data?.record_type !== 'message') return undefined;
  return data.data.record._id;
}
