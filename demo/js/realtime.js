/**
 * The live feed: the user's `user_channel` on Skygear pubsub (chat-api.md §4).
 *
 * Payloads: `{event: 'create'|'update'|'delete', data: {record_type, event_type, record}}` for message,
 * conversation and (my own read state) user_conversation records, and
 * `{event: 'typing', data: {'conversation/<cid>': {'user/<uid>': {event, at}}}}`.
 * Pubsub has no replay, so after the socket reconnects (server restart, network loss) we re-fetch.
 */
import * as api from './api.js';
import {
  applyReadState, catchUp, dropConversation, ensureUsers, queueDelivered, refreshConversation, refreshTotals,
} from './actions.js';
import { bareId, toConversation, toMessage, toReadState } from './model.js';
import { notifyMessage } from './notifications.js';
import {
  bumpLastMessage, putConversation, putMessages, setTyping, state, touch,
} from './state.js';
import { banner, toast } from './ui.js';

let subscribed = null; // {channel, handler}
let socketWasClosed = false;
let openedSinceConnect = false;
let listenersInstalled = false;

/** Subscribes the signed-in user to their channel (creating the user_channel record if needed). */
export async function connect() {
  installConnectionListeners();
  const channel = await api.ensureUserChannel();
  disconnect();
  const handler = (payload) => {
    try {
      dispatch(payload);
    } catch (error) {
      console.error('bad realtime event', payload, error);
    }
  };
  openedSinceConnect = false;
  api.subscribe(channel, handler);
  subscribed = { channel, handler };
  state.channel = channel;
}

export function disconnect() {
  if (subscribed) api.unsubscribe(subscribed.channel, subscribed.handler);
  subscribed = null;
  socketWasClosed = false;
  setConnection('online');
}

function setConnection(connection) {
  if (state.connection === connection) return;
  state.connection = connection;
  banner(connection === 'offline' ? 'Connection lost. Reconnecting…' : '');
  touch('connection');
}

function installConnectionListeners() {
  if (listenersInstalled) return;
  listenersInstalled = true;
  // The skygear client reconnects by itself (0 s, 5 s, 10 s … backoff) and re-sends its `sub` frames.
  api.onPubsubClose(() => {
    if (!subscribed) return;
    socketWasClosed = true;
    setConnection('offline');
  });
  api.onPubsubOpen(() => {
    if (!subscribed) return;
    // The socket can open after the session subscribed and loaded its list (a slow server): the
    // subscription goes out only now, so what happened in between is fetched, as after a reconnect.
    const firstOpen = !openedSinceConnect;
    openedSinceConnect = true;
    if (!socketWasClosed && !firstOpen) return;
    socketWasClosed = false;
    setConnection('online');
    catchUp();
  });
  // A sleeping laptop or a hidden tab can miss events without a close; re-sync when we come back.
  window.addEventListener('online', () => subscribed && catchUp());
  // Requests fail at once while offline; say so in the banner rather than only in toasts.
  window.addEventListener('offline', () => subscribed && banner('You are offline. Messages you send will go out when the connection is back.'));
  window.addEventListener('online', () => subscribed && banner(state.connection === 'offline' ? 'Connection lost. Reconnecting…' : ''));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && subscribed) catchUp();
  });
}

export function dispatch(payload) {
  if (!payload || typeof payload !== 'object' || !state.me) return;
  if (payload.event === 'typing') return onTyping(payload.data);
  const data = payload.data && typeof payload.data === 'object' ? payload.data : {};
  const event = payload.event ?? data.event_type;
  if (data.record_type === 'message') onMessage(event, toMessage(data.record));
  else if (data.record_type === 'conversation') onConversation(event, toConversation(data.record));
  else if (data.record_type === 'user_conversation') {
    const readState = toReadState(data.record);
    if (readState) applyReadState(readState);
  }
}

function onTyping(data) {
  if (!data || typeof data !== 'object') return;
  for (const [conversationKey, users] of Object.entries(data)) {
    const conversationId = bareId(conversationKey, 'conversation');
    if (!users || typeof users !== 'object') continue;
    for (const [userKey, info] of Object.entries(users)) {
      const userId = bareId(userKey, 'user');
      if (userId && userId !== state.me.id) setTyping(conversationId, userId, info?.event);
    }
    ensureUsers(Object.keys(users).map((k) => bareId(k, 'user')));
  }
}

function onMessage(event, message) {
  if (!message || !message.conversationId) return;
  const cid = message.conversationId;
  if (event === 'delete') message.deleted = true;
  // Threads we hold (or are fetching) merge the event; for others only the list preview changes, so an
  // unopened conversation never shows a stray message outside the page it will load.
  if (state.threads.has(cid)) putMessages(cid, [message]);
  else bumpLastMessage(message);
  // A message from someone ends their typing indicator.
  if (event === 'create') setTyping(cid, message.createdBy, 'finished');
  // Unknown conversation, or its last message may be gone: the server has the up-to-date preview.
  if (!state.conversations.has(cid) || event === 'delete') refreshConversation(cid);
  if (event !== 'create' || message.createdBy === state.me.id) return;
  ensureUsers([message.createdBy]);
  queueDelivered([message]);
  notifyMessage(message);
  // When the conversation is on screen the message view marks it read (and then refreshes counts).
  const onScreen = state.openId === cid && document.visibilityState === 'visible';
  if (!onScreen) {
    refreshConversation(cid);
    refreshTotals();
  }
}

function onConversation(event, conversation) {
  if (!conversation) return;
  const known = state.conversations.get(conversation.id);
  const removed = event === 'delete'
    || (conversation.participantIds.length > 0 && !conversation.participantIds.includes(state.me.id));
  if (removed) {
    if (known) {
      if (state.openId === conversation.id) toast(`You are no longer in “${known.title || 'this conversation'}”.`);
      dropConversation(conversation.id);
      refreshTotals();
    }
    return;
  }
  putConversation(known ? conversation : { ...conversation, justAdded: Date.now() });
  ensureUsers(conversation.participantIds);
  // The record event does not carry our unread count or last message; fetch them when they may differ.
  const lastKnown = state.conversations.get(conversation.id).lastMessage?.id ?? null;
  if (!known || (conversation.lastMessageId && conversation.lastMessageId !== lastKnown)) {
    refreshConversation(conversation.id);
  }
}
