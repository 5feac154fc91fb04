/**
 * One URL per place in the app, in the hash so any static server can serve the page:
 * `#/` is the conversation list, `#/c/<conversation id>` an open conversation.
 *
 * Opening a conversation pushes a history entry, so the browser's Back and Forward move between the
 * list and conversations (on a phone, Back from a chat shows the list instead of leaving the app), and
 * a reload re-opens the conversation in the URL.
 */

const CONVERSATION = /^#\/c\/([^/?#]+)$/;

/** The route in the current URL: `{conversationId}` (null for the list). */
export function currentRoute() {
  const match = CONVERSATION.exec(location.hash);
  return { conversationId: match ? decodeURIComponent(match[1]) : null };
}

export function conversationHash(conversationId) {
  return conversationId ? `#/c/${encodeURIComponent(conversationId)}` : '#/';
}

let onRoute = () => {};

/** Calls `handler(route)` on Back / Forward and on hash edits by hand. */
export function startRouter(handler) {
  onRoute = handler;
  window.addEventListener('popstate', () => onRoute(currentRoute()));
  // A hash typed into the address bar fires hashchange (and popstate); pushState below fires neither.
  window.addEventListener('hashchange', () => onRoute(currentRoute()));
}

/**
 * Shows `conversationId` (or the list for null). `replace` rewrites the current entry instead of adding
 * one (used when the app itself leaves a conversation that is gone, so Back does not return to it).
 */
export function navigate(conversationId, { replace = false } = {}) {
  const hash = conversationHash(conversationId);
  if (location.hash !== hash && !(hash === '#/' && location.hash === '')) {
    // `fromApp` marks entries the app pushed: the in-app back arrow can then simply go back in history.
    if (replace) history.replaceState(history.state, '', hash);
    else history.pushState({ fromApp: true }, '', hash);
  }
  onRoute(currentRoute());
}

/** The back arrow in the chat header: the previous entry when the app pushed this one, else the list. */
export function back() {
  if (history.state?.fromApp && currentRoute().conversationId) history.back();
  else navigate(null, { replace: true });
}
