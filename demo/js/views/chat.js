/** The chat pane: header (name, members / typing), the message list and the composer. */
import { showPanel } from '../actions.js';
import { avatar, h, replaceChildren, setText } from '../dom.js';
import { icon } from '../icons.js';
import { back } from '../router.js';
import { state, typingUsers } from '../state.js';
import { composerView } from './composer.js';
import { messagesView } from './messages.js';
import { conversationAvatarKey, conversationName, isDirect, typingText } from './names.js';

/** Phones get the on-screen keyboard when a text box takes the focus; there the title takes it. */
const narrow = window.matchMedia('(max-width: 760px)');

export function chatView() {
  const composer = composerView();
  const messages = messagesView({ onEdit: (message) => composer.startEditing(message) });

  const title = h('h2', { class: 'chat-title', 'data-testid': 'chat-title', tabindex: '-1' });
  const subtitle = h('p', { class: 'chat-subtitle' });
  const headAvatar = h('span', { class: 'head-avatar' });
  const typingLine = h('div', { class: 'typing-line', 'data-testid': 'typing', 'aria-live': 'polite' });

  const conversationPane = h('div', { class: 'chat-body' },
    h('header', { class: 'chat-head' },
      h('button', { type: 'button', class: 'icon-btn back', 'aria-label': 'Back to conversations', 'data-testid': 'back', onclick: back }, icon('back')),
      headAvatar,
      h('div', { class: 'chat-head-text' }, title, subtitle),
      h('button', {
        type: 'button', class: 'icon-btn', title: 'Conversation details', 'aria-label': 'Conversation details',
        'data-testid': 'details-button', onclick: () => showPanel('details'),
      }, icon('info'))),
    messages.root,
    typingLine,
    composer.root);

  const placeholder = h('div', { class: 'chat-placeholder' },
    h('span', { class: 'placeholder-mark' }, icon('chat', { size: 48 })),
    h('p', {}, 'Pick a conversation, or start a new one.'),
    h('button', { type: 'button', class: 'btn primary', onclick: () => showPanel('new') }, 'New conversation'));

  const root = h('section', { class: 'chat', 'aria-label': 'Conversation' }, placeholder, conversationPane);
  let shownId;

  function update(topics) {
    const c = state.openId ? state.conversations.get(state.openId) : null;
    placeholder.hidden = Boolean(state.openId);
    conversationPane.hidden = !state.openId;
    const switched = shownId !== state.openId;
    if (switched) {
      composer.reset();
      shownId = state.openId;
    }
    if (!state.openId) return messages.update();

    setText(title, c ? conversationName(c) : 'Loading…');
    const typing = typingText(typingUsers(state.openId));
    setText(typingLine, typing);
    typingLine.classList.toggle('active', Boolean(typing));
    if (c) {
      const n = c.participantIds.length;
      setText(subtitle, isDirect(c) ? 'Direct message' : `${n} participant${n === 1 ? '' : 's'}`);
      if (topics.has('open') || topics.has('users') || topics.has('conversations')) {
        replaceChildren(headAvatar, avatar(conversationName(c), conversationAvatarKey(c)));
      }
    }
    const relevant = ['open', 'users', 'conversations', 'session', `thread:${state.openId}`];
    if (relevant.some((t) => topics.has(t))) {
      messages.update();
    }
    // The user opened a conversation: put them where they will type (or, on a phone, at its title).
    if (switched && !state.panel) (narrow.matches ? title : composer).focus();
  }

  return { root, update };
}
