/**
 * The message composer: text, an optional attachment, and the typing indicator we send.
 *
 * Typing: the first keystroke sends chat:typing "begin"; "finished" follows 3 s after the last keystroke,
 * when the message is sent, or when the user switches conversation (the original SDK's debounce).
 */
import { send, sendTyping } from '../actions.js';
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { state } from '../state.js';
import { toast } from '../ui.js';

const TYPING_IDLE_MS = 3000;
const MAX_FILE_BYTES = 20 * 1024 * 1024;

export function composerView() {
  let file = null;
  let typingIn = null; // conversation id we told "begin" to
  let idleTimer = null;

  const text = h('textarea', {
    class: 'composer-input', rows: '1', placeholder: 'Write a message…', 'aria-label': 'Message', 'data-testid': 'composer-input',
  });
  const fileInput = h('input', { type: 'file', class: 'visually-hidden', id: 'composer-file', 'data-testid': 'composer-file' });
  const attach = h('label', { for: 'composer-file', class: 'icon-btn', title: 'Attach a file', 'aria-label': 'Attach a file' }, icon('clip'));
  const chip = h('div', { class: 'file-chip', hidden: true });
  const sendButton = h('button', { type: 'submit', class: 'btn primary send', 'data-testid': 'send', 'aria-label': 'Send' }, icon('send', { size: 18 }), h('span', { class: 'send-label' }, 'Send'));
  const form = h('form', { class: 'composer', 'aria-label': 'Send a message' },
    chip, h('div', { class: 'composer-row' }, attach, fileInput, text, sendButton));

  function stopTyping() {
    clearTimeout(idleTimer);
    if (typingIn) sendTyping(typingIn, 'finished');
    typingIn = null;
  }

  text.addEventListener('input', () => {
    autosize();
    const cid = state.openId;
    if (!cid) return;
    if (text.value.trim() === '') return stopTyping();
    if (typingIn !== cid) {
      stopTyping();
      typingIn = cid;
      sendTyping(cid, 'begin');
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  });

  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  fileInput.addEventListener('change', () => {
    const chosen = fileInput.files?.[0] ?? null;
    if (chosen && chosen.size > MAX_FILE_BYTES) {
      toast('That file is larger than 20 MB.');
      fileInput.value = '';
      return;
    }
    setFile(chosen);
  });

  let previewUrl = null;

  function setFile(next) {
    file = next;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = file && /^image\//.test(file.type) ? URL.createObjectURL(file) : null;
    chip.replaceChildren();
    chip.hidden = !file;
    if (!file) return;
    const preview = previewUrl ? h('img', { class: 'chip-thumb', alt: '', src: previewUrl }) : h('span', { class: 'chip-icon' }, icon('file'));
    chip.append(preview, h('span', { class: 'chip-name' }, file.name),
      h('button', { type: 'button', class: 'icon-btn small', 'aria-label': 'Remove attachment', onclick: () => { fileInput.value = ''; setFile(null); } }, icon('close', { size: 14 })));
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const cid = state.openId;
    const body = text.value.trim();
    if (!cid || (!body && !file)) return;
    stopTyping();
    send(cid, body, file);
    text.value = '';
    fileInput.value = '';
    setFile(null);
    autosize();
    text.focus();
  });

  function autosize() {
    text.style.height = 'auto';
    text.style.height = `${Math.min(text.scrollHeight, 160)}px`;
  }

  /** Called when the open conversation changes. */
  function reset() {
    stopTyping();
    text.value = '';
    fileInput.value = '';
    setFile(null);
    autosize();
  }

  return { root: form, reset, stopTyping };
}
