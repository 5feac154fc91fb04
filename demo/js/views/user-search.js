/** A search box over usernames (record:query on `user` with ilike), used to start chats and add people. */
import { describeError, searchUsers } from '../api.js';
import { avatar, h, replaceChildren } from '../dom.js';
import { putUsers, state } from '../state.js';

/**
 * @param {{ onPick(user): void, exclude(): string[], label: string, actionLabel?: (user) => string }} options
 */
export function userSearch({ onPick, exclude, label, actionLabel }) {
  const input = h('input', {
    type: 'search', class: 'search-input', placeholder: 'Search by username', 'aria-label': label,
    autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', 'data-testid': 'user-search',
  });
  const results = h('ul', { class: 'user-results', 'aria-label': 'Matching users' });
  const note = h('p', { class: 'list-note', hidden: true });
  let timer = null;
  let generation = 0;

  async function run() {
    const text = input.value.trim();
    const mine = ++generation;
    if (text === '') {
      results.replaceChildren();
      note.hidden = true;
      return;
    }
    try {
      const users = await searchUsers(text, state.me?.id);
      if (mine !== generation) return; // a newer search started while this one ran
      putUsers(users);
      const skip = new Set(exclude());
      const shown = users.filter((u) => !skip.has(u.id));
      replaceChildren(results, shown.map((u) => h('li', {},
        h('button', { type: 'button', class: 'user-result', dataset: { userId: u.id, username: u.username }, onclick: () => onPick(u) },
          avatar(u.username, u.id, 'small'),
          h('span', { class: 'user-name' }, u.username),
          actionLabel ? h('span', { class: 'user-action' }, actionLabel(u)) : null))));
      note.textContent = shown.length ? '' : `No one matches “${text}”.`;
      note.hidden = shown.length > 0;
    } catch (error) {
      if (mine !== generation) return;
      note.textContent = `Search failed: ${describeError(error).message}`;
      note.hidden = false;
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });

  return {
    root: h('div', { class: 'user-search' }, input, note, results),
    focus: () => input.focus(),
    refresh: run,
    clear: () => { input.value = ''; run(); },
  };
}
