/** Sign up / log in screen. */
import { describeError } from '../api.js';
import { h } from '../dom.js';
import { icon } from '../icons.js';

/**
 * @param {{ login(u, p): Promise<void>, signup(u, p): Promise<void> }} handlers
 */
export function authView(handlers) {
  let mode = 'login';
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const username = h('input', {
    id: 'auth-username', name: 'username', autocomplete: 'username', required: true, minlength: 1,
    maxlength: 64, autocapitalize: 'none', spellcheck: 'false',
  });
  const password = h('input', {
    id: 'auth-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true,
  });
  const submit = h('button', { class: 'btn primary wide', type: 'submit' }, 'Log in');
  const loginTab = h('button', { type: 'button', role: 'tab', class: 'tab', onclick: () => setMode('login') }, 'Log in');
  const signupTab = h('button', { type: 'button', role: 'tab', class: 'tab', onclick: () => setMode('signup') }, 'Sign up');

  function setMode(next) {
    mode = next;
    loginTab.setAttribute('aria-selected', String(mode === 'login'));
    signupTab.setAttribute('aria-selected', String(mode === 'signup'));
    submit.textContent = mode === 'login' ? 'Log in' : 'Create account';
    password.autocomplete = mode === 'login' ? 'current-password' : 'new-password';
    error.hidden = true;
  }

  async function onSubmit(event) {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      const u = username.value.trim();
      if (mode === 'login') await handlers.login(u, password.value);
      else await handlers.signup(u, password.value);
    } catch (e) {
      const err = describeError(e);
      const messages = {
        105: 'Wrong username or password.',
        109: 'That username is taken.',
        110: 'No user with that name. Sign up first?',
      };
      error.textContent = messages[err.code] ?? err.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  }

  setMode('login');
  return h('div', { class: 'auth-screen' },
    h('form', { class: 'card auth-card', onsubmit: onSubmit, 'aria-labelledby': 'auth-title' },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, icon('chat', { size: 30 })),
        h('h1', { id: 'auth-title' }, 'Skygear Chat')),
      h('div', { class: 'tabs', role: 'tablist' }, loginTab, signupTab),
      h('label', { for: 'auth-username' }, 'Username'), username,
      h('label', { for: 'auth-password' }, 'Password'), password,
      error,
      submit,
      h('p', { class: 'hint' }, 'A demo of the Skygear chat plugin, running on the unmodified skygear 1.7.2 JS client.')));
}
