/**
 * The signed-in layout: list and chat side by side on wide screens, one at a time on a phone
 * (`data-pane` on the root picks which), plus the overlay panel (new conversation, details, receipts).
 */
import { showPanel } from '../actions.js';
import { h } from '../dom.js';
import { state } from '../state.js';
import { chatView } from './chat.js';
import { conversationListView } from './conversation-list.js';
import { detailsPanel } from './details.js';
import { newConversationPanel } from './new-conversation.js';
import { receiptsPanel } from './receipts.js';

export function appView({ onLogout }) {
  const list = conversationListView({ onLogout });
  const chat = chatView();
  const sheet = h('div', { class: 'sheet', role: 'dialog', 'aria-modal': 'true' });
  const overlay = h('div', { class: 'overlay', hidden: true }, sheet);
  const root = h('div', { class: 'app', dataset: { pane: 'list' } }, list.root, chat.root, overlay);

  let panel = null; // {key, view}
  let returnFocusTo = null; // what had the focus before the panel opened: it gets it back on close

  overlay.addEventListener('mousedown', (event) => {
    if (event.target === overlay) showPanel(null);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && state.panel) showPanel(null);
  });

  function panelKey(p) {
    if (!p) return null;
    if (typeof p === 'string') return `${p}:${p === 'details' ? state.openId : ''}`;
    return `receipts:${p.receiptsFor}`;
  }

  function updatePanel() {
    const key = panelKey(state.panel);
    if (key !== panel?.key) {
      let view = null;
      if (state.panel === 'new') view = newConversationPanel();
      else if (state.panel === 'details' && state.openId) view = detailsPanel();
      else if (state.panel?.receiptsFor) view = receiptsPanel(state.panel.receiptsFor);
      if (view && !panel) returnFocusTo = document.activeElement;
      panel = view ? { key, view } : null;
      sheet.replaceChildren(...(view ? [view.root] : []));
      overlay.hidden = !view;
      sheet.setAttribute('aria-label', state.panel === 'new' ? 'New conversation' : state.panel === 'details' ? 'Conversation details' : 'Message info');
      if (view) {
        (view.focus ?? (() => view.root.querySelector('button, input')?.focus()))();
      } else if (returnFocusTo?.isConnected) {
        returnFocusTo.focus({ preventScroll: true });
        returnFocusTo = null;
      }
    } else {
      panel?.view.update?.();
    }
  }

  function update(topics) {
    root.dataset.pane = state.openId && state.pane === 'chat' ? 'chat' : 'list';
    root.dataset.ready = String(state.ready);
    list.update(topics);
    chat.update(topics);
    updatePanel();
  }

  return { root, update };
}
