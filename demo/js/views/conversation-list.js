/** The sidebar: who I am, total unread, and my conversations by latest activity with unread badges. */
import { openConversation, showPanel } from '../actions.js';
import { avatar, formatTime, h, replaceChildren, setText } from '../dom.js';
import { icon } from '../icons.js';
import { lastActivity } from '../model.js';
import { sortedConversations, state, typingUsers } from '../state.js';
import { conversationAvatarKey, conversationName, messagePreview, typingText } from './names.js';

export function conversationListView({ onLogout }) {
  const list = h('ul', { class: 'conv-list', 'aria-label': 'Conversations', 'data-testid': 'conversation-list' });
  const empty = h('div', { class: 'empty-list' },
    h('p', {}, 'No conversations yet.'),
    h('button', { class: 'btn primary', type: 'button', onclick: () => showPanel('new') }, 'Start a conversation'));
  const loading = h('p', { class: 'list-note' }, 'Loading conversations…');
  const totalBadge = h('span', { class: 'badge total', 'data-testid': 'total-unread', hidden: true });
  const meName = h('span', { class: 'me-name', 'data-testid': 'me' });
  const meAvatar = h('span', { class: 'me-avatar' });

  const root = h('aside', { class: 'sidebar', 'aria-label': 'Conversation list' },
    h('header', { class: 'sidebar-head' },
      meAvatar,
      h('div', { class: 'me' }, meName, h('span', { class: 'me-sub' }, 'Chats ', totalBadge)),
      h('button', {
        class: 'icon-btn', type: 'button', title: 'New conversation', 'aria-label': 'New conversation',
        'data-testid': 'new-conversation', onclick: () => showPanel('new'),
      }, icon('compose')),
      h('button', { class: 'icon-btn', type: 'button', title: 'Log out', 'aria-label': 'Log out', onclick: onLogout }, icon('logout'))),
    loading, list, empty);

  function item(c) {
    const unread = c.unreadCount || 0;
    const typing = typingText(typingUsers(c.id));
    const active = c.id === state.openId;
    return h('li', { class: ['conv-item', unread > 0 && 'unread', active && 'active'], dataset: { conversationId: c.id } },
      h('button', {
        type: 'button', class: 'conv-button', 'aria-current': active ? 'true' : null,
        onclick: () => openConversation(c.id),
      },
      avatar(conversationName(c), conversationAvatarKey(c)),
      h('span', { class: 'conv-main' },
        h('span', { class: 'conv-title', 'data-testid': 'conversation-title' }, conversationName(c)),
        h('span', { class: ['conv-preview', typing && 'typing'] }, typing || messagePreview(c.lastMessage))),
      h('span', { class: 'conv-meta' },
        h('span', { class: 'conv-time' }, formatTime(new Date(lastActivity(c)))),
        unread > 0 ? h('span', { class: 'badge', 'data-testid': 'unread-badge', 'aria-label': `${unread} unread` }, String(unread > 99 ? '99+' : unread)) : null)));
  }

  function update(topics) {
    if (topics.has('session') || topics.has('users')) {
      const me = state.me;
      setText(meName, me ? me.username || me.name : '');
      replaceChildren(meAvatar, me ? avatar(me.username, me.id) : null);
    }
    if (['conversations', 'users', 'typing', 'open', 'session'].some((t) => topics.has(t))) {
      const conversations = sortedConversations();
      replaceChildren(list, conversations.map(item));
      loading.hidden = state.ready || conversations.length > 0;
      empty.hidden = !state.ready || conversations.length > 0;
    }
    if (topics.has('unread') || topics.has('session')) {
      const n = state.totalUnread.message;
      setText(totalBadge, n > 99 ? '99+' : String(n));
      totalBadge.hidden = n === 0;
    }
  }

  return { root, update };
}
