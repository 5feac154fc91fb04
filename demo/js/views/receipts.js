/** Who received and read one message (chat:get_receipt), fetched when the user asks. */
import { receipts, showPanel } from '../actions.js';
import { describeError } from '../api.js';
import { avatar, formatTime, h, replaceChildren } from '../dom.js';
import { state, userName } from '../state.js';

export function receiptsPanel(messageId) {
  const list = h('ul', { class: 'receipts', 'data-testid': 'receipts', 'aria-busy': 'true' }, h('li', { class: 'list-note' }, 'Loading…'));
  let loaded = null;

  function row(userId, receipt) {
    const text = receipt?.readAt ? `Read ${formatTime(receipt.readAt)}`
      : receipt?.deliveredAt ? `Delivered ${formatTime(receipt.deliveredAt)}` : 'Not delivered yet';
    const kind = receipt?.readAt ? 'read' : receipt?.deliveredAt ? 'delivered' : 'none';
    return h('li', { class: ['receipt', kind], dataset: { userId, receipt: kind } },
      avatar(userName(userId), userId, 'small'),
      h('span', { class: 'member-name' }, userName(userId)),
      h('span', { class: 'receipt-state' }, text));
  }

  function render() {
    if (!loaded) return;
    const message = state.threads.get(state.openId)?.messages.get(messageId);
    const conversation = state.conversations.get(state.openId);
    const byUser = new Map(loaded.filter((r) => r.userId).map((r) => [r.userId, r]));
    // Everyone else in the conversation, plus anyone who has a receipt but has since left.
    const ids = new Set([...(conversation?.participantIds ?? []), ...byUser.keys()]);
    ids.delete(message?.createdBy ?? state.me?.id);
    list.setAttribute('aria-busy', 'false');
    replaceChildren(list, ids.size ? [...ids].map((id) => row(id, byUser.get(id))) : h('li', { class: 'list-note' }, 'No one else is in this conversation.'));
  }

  receipts(messageId).then((r) => {
    loaded = r;
    render();
  }, (error) => {
    replaceChildren(list, h('li', { class: 'form-error' }, `Could not load receipts: ${describeError(error).message}`));
  });

  const root = h('div', { class: 'panel-body' },
    h('h2', { class: 'panel-title' }, 'Message info'),
    list,
    h('button', { type: 'button', class: 'btn subtle wide', onclick: () => showPanel(null) }, 'Close'));
  return { root, update: render };
}
