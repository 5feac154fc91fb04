/**
 * "New conversation": pick people; one person without a group name starts (or re-opens) the direct
 * conversation with them (distinctByParticipants), otherwise a group is created.
 */
import { showPanel, startConversation } from '../actions.js';
import { describeError } from '../api.js';
import { avatar, h, replaceChildren } from '../dom.js';
import { icon } from '../icons.js';
import { userSearch } from './user-search.js';

export function newConversationPanel() {
  const picked = new Map(); // id -> user
  const chips = h('ul', { class: 'chips', 'aria-label': 'Selected people' });
  const groupName = h('input', { class: 'text-input', placeholder: 'Group name (optional)', 'aria-label': 'Group name', maxlength: 120, 'data-testid': 'group-name' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const start = h('button', { type: 'submit', class: 'btn primary wide', disabled: true, 'data-testid': 'start-conversation' }, 'Start conversation');

  const search = userSearch({
    label: 'Search people to chat with',
    exclude: () => [...picked.keys()],
    actionLabel: () => 'Add',
    onPick: (user) => {
      picked.set(user.id, user);
      search.clear();
      search.focus();
      render();
    },
  });

  function render() {
    replaceChildren(chips, [...picked.values()].map((u) => h('li', { class: 'chip' },
      avatar(u.username, u.id, 'tiny'), u.username,
      h('button', { type: 'button', class: 'icon-btn small', 'aria-label': `Remove ${u.username}`, onclick: () => { picked.delete(u.id); render(); } }, icon('close', { size: 12 })))));
    const direct = picked.size === 1 && groupName.value.trim() === '';
    start.disabled = picked.size === 0;
    start.textContent = picked.size === 0 ? 'Pick someone to chat with'
      : direct ? `Chat with ${[...picked.values()][0].username}` : `Create group (${picked.size + 1} people)`;
  }
  groupName.addEventListener('input', render);

  async function onSubmit(event) {
    event.preventDefault();
    if (picked.size === 0) return;
    error.hidden = true;
    start.disabled = true;
    const title = groupName.value.trim();
    try {
      await startConversation({ participantIds: [...picked.keys()], title, distinct: picked.size === 1 && title === '' });
    } catch (e) {
      error.textContent = `Could not start the conversation: ${describeError(e).message}`;
      error.hidden = false;
      start.disabled = false;
    }
  }

  const root = h('form', { class: 'panel-body', onsubmit: onSubmit },
    h('h2', { class: 'panel-title' }, 'New conversation'),
    search.root, chips, groupName, error, start,
    h('button', { type: 'button', class: 'btn subtle wide', onclick: () => showPanel(null) }, 'Cancel'));
  render();
  return { root, focus: search.focus };
}
