/**
 * The "Message actions" menu of one message (Edit, Delete): a button that opens a small menu, in the
 * WAI-ARIA menu-button pattern: arrow keys move between items, Escape closes it and gives the focus
 * back to the button, a click elsewhere closes it.
 */
import { h } from '../dom.js';
import { icon } from '../icons.js';

let openMenu = null; // {close} of the menu on screen, at most one

document.addEventListener('mousedown', (event) => {
  if (openMenu && !openMenu.contains(event.target)) openMenu.close({ restoreFocus: false });
});

/**
 * @param {string} messageId
 * @param {Array<{label: string, icon: string, run: () => void, danger?: boolean}>} items
 */
export function messageMenu(messageId, items) {
  const menuId = `menu-${messageId}`;
  const button = h('button', {
    type: 'button', class: 'icon-btn small msg-menu-button', 'aria-label': 'Message actions', title: 'Message actions',
    'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId,
    'data-focus-key': `message-menu:${messageId}`, 'data-testid': 'message-menu',
  }, icon('more', { size: 16 }));
  const entries = items.map((item) => h('button', {
    type: 'button', role: 'menuitem', tabindex: '-1', class: ['menu-item', item.danger && 'danger'],
    // If a re-render replaces the bubble while the menu is open, the focus goes to the new menu button.
    'data-focus-key': `message-menu:${messageId}`,
    onclick: () => {
      close({ restoreFocus: false });
      item.run();
    },
  }, icon(item.icon, { size: 15 }), item.label));
  const menu = h('div', { class: 'msg-menu', role: 'menu', id: menuId, 'aria-label': 'Message actions', hidden: true }, entries);
  const root = h('div', { class: 'msg-menu-wrap' }, button, menu);

  function close({ restoreFocus = true } = {}) {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (openMenu?.root === root) openMenu = null;
    if (restoreFocus) button.focus();
  }

  function open() {
    openMenu?.close({ restoreFocus: false });
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    openMenu = { root, close, contains: (node) => root.contains(node) };
    entries[0]?.focus();
  }

  button.addEventListener('click', () => (menu.hidden ? open() : close()));
  menu.addEventListener('keydown', (event) => {
    const index = entries.indexOf(document.activeElement);
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      entries[(index + step + entries.length) % entries.length].focus();
    } else if (event.key === 'Tab') {
      close({ restoreFocus: false });
    }
  });

  return root;
}
