/**
 * Conversation details: rename (admins; saved on the conversation record), members with admin
 * controls (add/remove participants and admins), leaving, and deleting it for everyone (admins).
 */
import {
  addParticipants, deleteConversation, leave, makeAdmin, removeParticipant, rename, revokeAdmin, showPanel,
} from '../actions.js';
import { describeError } from '../api.js';
import { avatar, h, replaceChildren } from '../dom.js';
import { state, userName } from '../state.js';
import { conversationName, isAdmin } from './names.js';
import { userSearch } from './user-search.js';

export function detailsPanel() {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const titleInput = h('input', { class: 'text-input', 'aria-label': 'Conversation name', placeholder: 'Name this conversation', maxlength: 120, 'data-testid': 'rename-input' });
  const saveTitle = h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'rename-save' }, 'Rename');
  const titleForm = h('form', { class: 'inline-form' }, titleInput, saveTitle);
  const titleText = h('p', { class: 'panel-subtitle' });
  const members = h('ul', { class: 'members', 'aria-label': 'Participants', 'data-testid': 'members' });
  const addSection = h('div', { class: 'add-people' });
  const leaveButton = h('button', { type: 'button', class: 'btn danger wide', 'data-testid': 'leave' }, 'Leave conversation');
  const deleteButton = h('button', { type: 'button', class: 'btn danger-subtle wide', 'data-testid': 'delete-conversation' }, 'Delete conversation for everyone');
  let lastTitleFor = null;

  const cid = () => state.openId;
  const conversation = () => state.conversations.get(cid());

  /** Runs a change, showing its error in the panel instead of failing silently. */
  async function attempt(fn) {
    error.hidden = true;
    try {
      await fn();
    } catch (e) {
      error.textContent = describeError(e).message;
      error.hidden = false;
    }
  }

  titleForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const title = titleInput.value.trim();
    attempt(() => rename(cid(), title));
  });

  leaveButton.addEventListener('click', () => {
    const c = conversation();
    if (!c || !window.confirm(`Leave “${conversationName(c)}”?`)) return;
    attempt(() => leave(c.id));
  });

  deleteButton.addEventListener('click', () => {
    const c = conversation();
    if (!c || !window.confirm(`Delete “${conversationName(c)}” for everyone? Nobody will be able to read it any more.`)) return;
    attempt(() => deleteConversation(c.id));
  });

  const search = userSearch({
    label: 'Search people to add',
    exclude: () => conversation()?.participantIds ?? [],
    actionLabel: () => 'Add',
    onPick: (user) => attempt(async () => {
      await addParticipants(cid(), [user.id]);
      search.clear();
    }),
  });

  function member(c, userId, amAdmin) {
    const admin = c.adminIds.includes(userId);
    const me = userId === state.me?.id;
    const controls = amAdmin && !me ? [
      admin
        ? h('button', { type: 'button', class: 'btn subtle small', 'data-focus-key': `admin:${userId}`, onclick: () => attempt(() => revokeAdmin(c.id, userId)) }, 'Remove admin')
        : h('button', { type: 'button', class: 'btn subtle small', 'data-focus-key': `admin:${userId}`, onclick: () => attempt(() => makeAdmin(c.id, userId)) }, 'Make admin'),
      h('button', { type: 'button', class: 'btn danger-subtle small', 'aria-label': `Remove ${userName(userId)}`, onclick: () => attempt(() => removeParticipant(c.id, userId)) }, 'Remove'),
    ] : [];
    return h('li', { class: 'member', dataset: { userId } },
      avatar(me ? state.me.username : userName(userId), userId, 'small'),
      h('span', { class: 'member-text' },
        h('span', { class: 'member-name' }, me ? `${state.me.username} (you)` : userName(userId)),
        admin ? h('span', { class: 'tag' }, 'admin') : h('span', { class: 'member-role' }, 'participant')),
      h('span', { class: 'member-controls' }, controls));
  }

  function update() {
    const c = conversation();
    if (!c) return;
    const amAdmin = isAdmin(c);
    if (lastTitleFor !== `${c.id}\u0000${c.title}`) {
      titleInput.value = c.title;
      lastTitleFor = `${c.id}\u0000${c.title}`;
    }
    titleForm.hidden = !amAdmin;
    titleText.hidden = amAdmin;
    titleText.textContent = amAdmin ? '' : `${c.title || 'No name'} · only admins can rename or change members.`;
    // Me first, then admins, then everyone else by name.
    const rank = (id) => (id === state.me?.id ? 0 : c.adminIds.includes(id) ? 1 : 2);
    const ordered = [...c.participantIds].sort((a, b) => rank(a) - rank(b) || userName(a).localeCompare(userName(b)));
    replaceChildren(members, ordered.map((id) => member(c, id, amAdmin)));
    addSection.hidden = !amAdmin;
    deleteButton.hidden = !amAdmin;
  }

  replaceChildren(addSection, h('h3', { class: 'section-title' }, 'Add people'), search.root);
  const root = h('div', { class: 'panel-body' },
    h('h2', { class: 'panel-title' }, 'Conversation details'),
    h('h3', { class: 'section-title' }, 'Name'),
    titleForm, titleText, error,
    h('h3', { class: 'section-title' }, 'Participants'), members,
    addSection,
    leaveButton,
    deleteButton,
    h('button', { type: 'button', class: 'btn subtle wide', onclick: () => showPanel(null) }, 'Close'));
  update();
  return { root, update, focus: () => titleInput.focus() };
}
