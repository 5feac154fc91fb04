/**
 * The message composer: text, an optional attachment, the typing indicator we send, and editing one of
 * my messages (the composer then says "Editing message" and saves instead of sending).
 *
 * Typing: the first keystroke sends chat:typing "begin"; "finished" follows 3 s after the last keystroke,
 * when the message is sent, or when the user switches conversation (the original SDK's debounce).
 * Size: a body may be at most 64 KiB of UTF-8 (chat-api.md §2 "Bounds"); a longer one is refused here,
 * with the reason under the box, before it costs an upload the server would refuse anyway.
 */
import { editMessage, send, sendTyping } from '../actions.js';
import { describeError, formatBytes } from '../api.js';
import { h, setText } from '../dom.js';
import { icon } from '../icons.js';
import { sortedMessages, state } from '../state.js';
import { toast } from '../ui.js';

const TYPING_IDLE_MS = 3000;
const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const MAX_BODY_BYTES = 64 * 1024;

/** UTF-8 length, computed only when it could matter (a UTF-16 unit is at most 3 UTF-8 bytes). */
function utf8Bytes(text) {
  return text.length * 3 <= MAX_BODY_BYTES ? 0 : new TextEncoder().encode(text).length;
}

export function composerView() {
  let file = null;
  let typingIn = null; // conversation id we told "begin" to
  let idleTimer = null;
  let editing = null; // the message being edited, or null

  const text = h('textarea', {
    class: 'composer-input', rows: '1', placeholder: 'Write a message…', 'aria-label': 'Message', 'data-testid': 'composer-input',
    'aria-describedby': 'composer-limit',
  });
  const limitNote = h('p', { class: 'composer-limit', id: 'composer-limit', role: 'status', 'data-testid': 'composer-limit', hidden: true });
  const fileInput = h('input', { type: 'file', class: 'visually-hidden', id: 'composer-file', 'data-testid': 'composer-file' });
  const attach = h('label', { for: 'composer-file', class: 'icon-btn', title: 'Attach a file', 'aria-label': 'Attach a file' }, icon('clip'));
  const chip = h('div', { class: 'file-chip', hidden: true });
  const sendLabel = h('span', { class: 'send-label' }, 'Send');
  const sendButton = h('button', { type: 'submit', class: 'btn primary send', 'data-testid': 'send', 'aria-label': 'Send' }, icon('send', { size: 18 }), sendLabel);
  const editBar = h('div', { class: 'edit-bar', hidden: true, 'data-testid': 'edit-bar' },
    icon('edit', { size: 14 }), h('span', { class: 'edit-bar-text' }, 'Editing message'),
    h('button', { type: 'button', class: 'btn subtle small', 'data-testid': 'cancel-edit', onclick: () => stopEditing() }, 'Cancel'));
  const form = h('form', { class: 'composer', 'aria-label': 'Send a message' },
    editBar, chip, h('div', { class: 'composer-row' }, attach, fileInput, text, sendButton), limitNote);

  function stopTyping() {
    clearTimeout(idleTimer);
    if (typingIn) sendTyping(typingIn, 'finished');
    typingIn = null;
  }

  /** The size check: returns the problem in words, or '' when the text may be sent. */
  function checkSize() {
    const bytes = utf8Bytes(text.value);
    const tooLong = bytes > MAX_BODY_BYTES;
    const problem = tooLong ? `This message is too long to send: ${formatBytes(bytes)}, at most ${formatBytes(MAX_BODY_BYTES)}.` : '';
    setText(limitNote, problem);
    limitNote.hidden = !tooLong;
    text.setAttribute('aria-invalid', String(tooLong));
    return problem;
  }

  text.addEventListener('input', () => {
    autosize();
    checkSize();
    const cid = state.openId;
    if (!cid || editing) return;
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
    } else if (event.key === 'Escape' && editing) {
      event.preventDefault();
      event.stopPropagation();
      stopEditing();
    } else if (event.key === 'ArrowUp' && text.value === '' && !editing) {
      // As in Slack: Up in an empty box edits my last message.
      const mine = sortedMessages(state.openId).filter((m) => m.createdBy === state.me?.id && !m.pending && !m.deleted && m.body);
      if (mine.length) {
        event.preventDefault();
        startEditing(mine[mine.length - 1]);
      }
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

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const cid = state.openId;
    const body = text.value.trim();
    if (!cid) return;
    if (checkSize()) {
      text.focus();
      return;
    }
    if (editing) return saveEdit(cid, body);
    if (!body && !file) return;
    stopTyping();
    send(cid, body, file);
    text.value = '';
    fileInput.value = '';
    setFile(null);
    autosize();
    text.focus();
  });

  async function saveEdit(cid, body) {
    const message = editing;
    if (body === message.body) return stopEditing({ focusMessage: false });
    if (!body && !message.attachment) {
      toast('A message cannot be empty. To remove it, delete it instead.');
      return;
    }
    sendButton.disabled = true;
    try {
      await editMessage(cid, message.id, body);
      if (editing === message) stopEditing({ focusMessage: false });
    } catch (error) {
      toast(`Could not save the change: ${describeError(error).message}`);
    } finally {
      sendButton.disabled = false;
    }
  }

  /** Puts my message into the box for editing. */
  function startEditing(message) {
    stopTyping();
    editing = message;
    editBar.hidden = false;
    attach.hidden = true;
    chip.hidden = true;
    text.value = message.body;
    setText(sendLabel, 'Save');
    sendButton.setAttribute('aria-label', 'Save changes');
    autosize();
    checkSize();
    text.focus();
    text.setSelectionRange(text.value.length, text.value.length);
  }

  /** Leaves edit mode; the focus goes back to the message's menu (cancel) or stays in the box (saved). */
  function stopEditing({ focusMessage = true } = {}) {
    if (!editing) return;
    const id = editing.id;
    editing = null;
    editBar.hidden = true;
    attach.hidden = false;
    chip.hidden = !file;
    text.value = '';
    setText(sendLabel, 'Send');
    sendButton.setAttribute('aria-label', 'Send');
    autosize();
    checkSize();
    const button = focusMessage ? document.querySelector(`[data-focus-key="message-menu:${CSS.escape(id)}"]`) : null;
    (button ?? text).focus();
  }

  function autosize() {
    text.style.height = 'auto';
    text.style.height = `${Math.min(text.scrollHeight, 160)}px`;
  }

  /** Called when the open conversation changes. */
  function reset() {
    stopTyping();
    editing = null;
    editBar.hidden = true;
    attach.hidden = false;
    setText(sendLabel, 'Send');
    sendButton.setAttribute('aria-label', 'Send');
    text.value = '';
    fileInput.value = '';
    setFile(null);
    autosize();
    checkSize();
  }

  return { root: form, reset, stopTyping, startEditing, focus: () => text.focus() };
}
