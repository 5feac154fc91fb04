/**
 * Desktop notifications for messages that arrive while the tab is hidden (the browser's Notification
 * API; nothing is sent by the server). Off until the user turns them on with the bell in the sidebar,
 * which is also when the browser asks for permission (it only lets a click ask). The choice is kept
 * per browser in localStorage.
 */
import { navigate } from './router.js';
import { state, touch, userName } from './state.js';
import { conversationName, isDirect, messagePreview } from './views/names.js';

const STORAGE_KEY = 'skygear-chat-demo:notifications';

export function notificationsSupported() {
  return typeof window.Notification === 'function';
}

/** 'on' | 'off' | 'blocked' (the browser refuses) | 'unsupported'. */
export function notificationSetting() {
  if (!notificationsSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  return localStorage.getItem(STORAGE_KEY) === 'on' && Notification.permission === 'granted' ? 'on' : 'off';
}

/** The bell: turning on asks the browser for permission first. */
export async function toggleNotifications() {
  if (notificationSetting() === 'on') {
    localStorage.setItem(STORAGE_KEY, 'off');
  } else if (notificationsSupported()) {
    const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    localStorage.setItem(STORAGE_KEY, permission === 'granted' ? 'on' : 'off');
  }
  touch('notifications');
}

/** A message from someone else arrived live: tell the user if they cannot see the page. */
export function notifyMessage(message) {
  if (document.visibilityState !== 'hidden' || notificationSetting() !== 'on') return;
  if (message.createdBy === state.me?.id || message.deleted) return;
  // The sender's name may still be on its way (ensureUsers batches its query); give it a moment.
  const delay = state.users.has(message.createdBy) ? 0 : 400;
  setTimeout(() => show(message), delay);
}

function show(message) {
  if (!state.me) return;
  const conversation = state.conversations.get(message.conversationId);
  const sender = userName(message.createdBy);
  const title = conversation && !isDirect(conversation) ? `${sender} in ${conversationName(conversation)}` : sender;
  const body = messagePreview(message).slice(0, 200);
  // One notification per conversation at a time: a newer message replaces the older one.
  const notification = new Notification(title, { body, tag: `conversation-${message.conversationId}` });
  notification.addEventListener('click', () => {
    window.focus();
    navigate(message.conversationId);
    notification.close();
  });
}
