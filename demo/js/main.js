/**
 * Entry point: configure the Skygear client, show the login screen or the app, and keep the
 * document title in step with the total unread count (chat:total_unread).
 */
import * as api from './api.js';
import { closeConversation, loadConversations, openConversation, refreshTotals, resetMarkers } from './actions.js';
import { h, keepingFocus, replaceChildren } from './dom.js';
import * as realtime from './realtime.js';
import { currentRoute, navigate, startRouter } from './router.js';
import { listen, resetSession, state, touch } from './state.js';
import { toast } from './ui.js';
import { appView } from './views/app.js';
import { authView } from './views/auth.js';

const root = document.getElementById('root');
const BASE_TITLE = 'Skygear Chat';
let app = null;
let sessionUserId = null;

function renderTitle() {
  const n = state.me ? state.totalUnread.message : 0;
  document.title = n > 0 ? `(${n}) ${BASE_TITLE}` : BASE_TITLE;
}

listen((topics) => {
  keepingFocus(() => app?.update(topics));
  if (topics.has('unread') || topics.has('session')) renderTitle();
});

/** Shows what the URL names (#/c/<id> or the list); waits until the session has its conversations. */
function applyRoute({ conversationId }) {
  if (!state.me || !state.ready) return;
  if (conversationId) openConversation(conversationId);
  else if (state.openId) closeConversation();
}
startRouter(applyRoute);

function showAuth() {
  app = null;
  root.dataset.view = 'auth';
  replaceChildren(root, authView({
    login: async (username, password) => startSession(await api.login(username, password)),
    signup: async (username, password) => startSession(await api.signup(username, password)),
  }));
  root.querySelector('input')?.focus();
  renderTitle();
}

/** Enters the app for `me`: subscribe to the user channel first, then fetch, so nothing falls in between. */
async function startSession(me) {
  if (!me) return showAuth();
  sessionUserId = me.id;
  resetMarkers();
  resetSession(me);
  app = appView({ onLogout: logout });
  root.dataset.view = 'app';
  replaceChildren(root, app.root);
  touch('session');
  try {
    await realtime.connect();
  } catch (error) {
    toast(`Live updates are unavailable: ${api.describeError(error).message}`);
  }
  try {
    await loadConversations();
  } catch (error) {
    toast(`Could not load conversations: ${api.describeError(error).message}`);
  }
  refreshTotals();
  if (state.me === me) {
    state.ready = true;
    touch('session');
    applyRoute(currentRoute()); // a reload re-opens the conversation in the URL
  }
}

async function logout() {
  realtime.disconnect();
  sessionUserId = null;
  resetSession(null);
  navigate(null, { replace: true });
  try {
    await api.logout();
  } catch (error) {
    console.warn('logout failed', error);
  }
  showAuth();
}

// Typing indicators expire on their own (a lost "finished"); re-render while any are shown.
setInterval(() => {
  if (state.typing.size > 0) touch('typing');
}, 1000);

async function boot() {
  try {
    const me = await api.configure();
    // The client logs out by itself when the server rejects the stored token (error 104).
    api.onUserChanged((user) => {
      if (!user && sessionUserId) {
        realtime.disconnect();
        sessionUserId = null;
        resetSession(null);
        toast('Your session ended. Please log in again.');
        showAuth();
      }
    });
    if (me) await startSession(me);
    else showAuth();
  } catch (error) {
    replaceChildren(root, h('div', { class: 'auth-screen' },
      h('div', { class: 'card' }, h('h1', {}, 'Cannot start'), h('p', {}, api.describeError(error).message))));
  } finally {
    root.removeAttribute('aria-busy');
  }
}

boot();
