/**
 * The sidebar: who I am, total unread, the notification bell, a filter, and my conversations by latest
 * activity with unread badges.
 *
 * Items are keyed by conversation: an update rebuilds only the items whose content changed and moves
 * the others, and the focused item keeps the keyboard focus (typing events and new messages arrive
 * all the time; rebuilding the whole list used to drop the focus to the page body).
 */
import { showPanel } from '../actions.js';
import { avatar, formatTime, h, reorder, replaceChildren, setText } from '../dom.js';
import { icon } from '../icons.js';
import { lastActivity } from '../model.js';
import { notificationSetting, toggleNotifications } from '../notifications.js';
import { navigate } from '../router.js';
import { sortedConversations, state, typingUsers, userName } from '../state.js';
import { conversationAvatarKey, conversationName, messagePreview, typingText } from './names.js';

const BELL_LABEL = {
  on: 'Turn off desktop notifications',
  off: 'Turn on desktop notifications',
  blocked: 'Desktop notifications are blocked in this browser’s settings',
};

export function conversationListView({ onLogout }) {
  const list = h('ul', { class: 'conv-list', 'aria-label': 'Conversations', 'data-testid': 'conversation-list' });
  const empty = h('div', { class: 'empty-list' },
    h('p', {}, 'No conversations yet.'),
    h('button', { class: 'btn primary', type: 'button', onclick: () => showPanel('new') }, 'Start a conversation'));
  const noMatch = h('p', { class: 'list-note', role: 'status', hidden: true });
  const loading = h('p', { class: 'list-note' }, 'Loading conversations…');
  const totalBadge = h('span', { class: 'badge total', 'data-testid': 'total-unread', hidden: true });
  const meName = h('span', { class: 'me-name', 'data-testid': 'me' });
  const meAvatar = h('span', { class: 'me-avatar' });
  const bell = h('button', {
    class: 'icon-btn', type: 'button', 'data-testid': 'notifications-toggle', onclick: () => toggleNotifications(),
  });
  const filter = h('input', {
    type: 'search', class: 'search-input', id: 'conversation-filter', placeholder: 'Filter conversations',
    autocomplete: 'off', spellcheck: 'false', 'data-testid': 'conversation-filter',
  });
  filter.addEventListener('input', () => renderList());
  filter.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && filter.value) {
      event.stopPropagation();
      filter.value = '';
      renderList();
    }
  });

  const root = h('aside', { class: 'sidebar', 'aria-label': 'Conversation list' },
    h('header', { class: 'sidebar-head' },
      meAvatar,
      h('div', { class: 'me' }, meName, h('span', { class: 'me-sub' }, 'Chats ', totalBadge)),
      h('button', {
        class: 'icon-btn', type: 'button', title: 'New conversation', 'aria-label': 'New conversation',
        'data-testid': 'new-conversation', onclick: () => showPanel('new'),
      }, icon('compose')),
      bell,
      h('button', { class: 'icon-btn', type: 'button', title: 'Log out', 'aria-label': 'Log out', 'data-testid': 'logout', onclick: onLogout }, icon('logout'))),
    h('div', { class: 'filter-row' },
      h('label', { for: 'conversation-filter', class: 'visually-hidden' }, 'Filter conversations'), filter),
    loading, noMatch, list, empty);

  /** id -> {el, sig}: the rendered items. */
  let items = new Map();

  function itemContent(c) {
    const unread = c.unreadCount || 0;
    const typing = typingText(typingUsers(c.id));
    const active = c.id === state.openId;
    return {
      sig: JSON.stringify([conversationName(c), typing, messagePreview(c.lastMessage), unread, active, lastActivity(c)]),
      build: () => h('li', { class: ['conv-item', unread > 0 && 'unread', active && 'active'], dataset: { conversationId: c.id } },
        h('button', {
          type: 'button', class: 'conv-button', 'aria-current': active ? 'true' : null,
          'data-focus-key': `conversation:${c.id}`, onclick: () => navigate(c.id),
        },
        avatar(conversationName(c), conversationAvatarKey(c)),
        h('span', { class: 'conv-main' },
          h('span', { class: 'conv-title', 'data-testid': 'conversation-title' }, conversationName(c)),
          h('span', { class: ['conv-preview', typing && 'typing'] }, typing || messagePreview(c.lastMessage))),
        h('span', { class: 'conv-meta' },
          h('span', { class: 'conv-time' }, formatTime(new Date(lastActivity(c)))),
          unread > 0 ? h('span', { class: 'badge', 'data-testid': 'unread-badge', 'aria-label': `${unread} unread` }, String(unread > 99 ? '99+' : unread)) : null))),
    };
  }

  /** A conversation matches the filter by its name, its members' names, or its last message. */
  function matches(c, text) {
    if (!text) return true;
    const haystack = [conversationName(c), ...c.participantIds.map(userName), messagePreview(c.lastMessage)].join('\n').toLowerCase();
    return haystack.includes(text);
  }

  function renderList() {
    const all = sortedConversations();
    const text = filter.value.trim().toLowerCase();
    const shown = all.filter((c) => matches(c, text));
    const next = new Map();
    for (const c of shown) {
      const { sig, build } = itemContent(c);
      const known = items.get(c.id);
      next.set(c.id, known && known.sig === sig ? known : { el: build(), sig });
    }
    items = next;
    reorder(list, [...next.values()].map((item) => item.el));
    loading.hidden = state.ready || all.length > 0;
    empty.hidden = !state.ready || all.length > 0;
    noMatch.hidden = all.length === 0 || shown.length > 0;
    setText(noMatch, `No conversation matches “${filter.value.trim()}”.`);
  }

  function renderBell() {
    const setting = notificationSetting();
    bell.hidden = setting === 'unsupported';
    bell.disabled = setting === 'blocked';
    bell.setAttribute('aria-pressed', String(setting === 'on'));
    bell.setAttribute('aria-label', BELL_LABEL[setting] ?? '');
    bell.title = BELL_LABEL[setting] ?? '';
    replaceChildren(bell, icon(setting === 'on' ? 'bell' : 'bellOff'));
  }

  function update(topics) {
    if (topics.has('session') || topics.has('users')) {
      const me = state.me;
      setText(meName, me ? me.username || me.name : '');
      replaceChildren(meAvatar, me ? avatar(me.username, me.id) : null);
    }
    if (topics.has('session') || topics.has('notifications')) renderBell();
    if (['conversations', 'users', 'typing', 'open', 'session'].some((t) => topics.has(t))) renderList();
    if (topics.has('unread') || topics.has('session')) {
      const n = state.totalUnread.message;
      setText(totalBadge, n > 99 ? '99+' : String(n));
      totalBadge.hidden = n === 0;
    }
  }

  return { root, update };
}
