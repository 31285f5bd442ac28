/**
 * Memo text as Markdown: CommonMark with GitHub's extensions (task lists, tables, strikethrough,
 * autolinks) by marked, then DOMPurify over the result. The stored text is never changed by
 * showing it.
 *
 * What a memo can never do: raw HTML is shown as the text it is (marked's HTML is escaped
 * before DOMPurify even sees it); links go only to http, https and mailto (anything else keeps
 * its text and loses its href), and open in a new tab with `rel` as before; images are shown as
 * links (the CSP would block them, and a remote image tells its host who read the memo);
 * headings are bold paragraphs, so a memo cannot disturb the page's outline.
 */
import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';
import { TAG_PATTERN, parseTag } from '@memo/common/tags';

export const LINK_REL = 'noopener noreferrer nofollow ugc';
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Per render: where each task's `[ ]` is in the source, in document order; null once one is not found. */
let taskOffsets: number[] | null = [];
let taskSource = '';
let taskCursor = 0;
let tasksRendered = 0;

const ITEM_MARK = /^[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]+\[[ xX]\]/;

function locateTask(item: Tokens.ListItem): void {
  if (taskOffsets === null) return;
  const at = taskSource.indexOf(item.raw, taskCursor);
  const mark = ITEM_MARK.exec(item.raw);
  if (at < 0 || !mark) {
    // Inside a blockquote, say: the item's text is not the source's. Shown, not clickable.
    taskOffsets = null;
    return;
  }
  const offset = at + mark[0].length - 3;
  taskOffsets.push(offset);
  taskCursor = offset + 3;
}

const TAG_START = new RegExp(TAG_PATTERN.source, 'u');
const TAG_HERE = new RegExp(String.raw`^#([\p{Script=Hangul}\p{Script=Latin}\p{Nd}_/]+)`, 'u');

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  walkTokens(token) {
    // A code or HTML block (shown as text) that looks like a task list is passed over, so a task
    // after it is found where it is, not inside it.
    if ((token.type === 'code' || token.type === 'html') && taskOffsets !== null) {
      const at = taskSource.indexOf(token.raw, taskCursor);
      if (at >= 0) taskCursor = at + token.raw.length;
    }
    if (token.type === 'list_item' && (token as Tokens.ListItem).task) locateTask(token as Tokens.ListItem);
  },
  renderer: {
    html(token) {
      // Shown as the text it is; a block keeps its line breaks.
      const text = escapeHtml(token.text);
      return 'block' in token && token.block ? `<p>${text.trimEnd().replaceAll('\n', '<br>')}</p>\n` : text;
    },
    heading({ tokens, depth }) {
      return `<p class="md-h md-h${String(depth)}"><strong>${this.parser.parseInline(tokens)}</strong></p>\n`;
    },
    image({ href, text }) {
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
    checkbox({ checked }) {
      const n = tasksRendered++;
      return `<input type="checkbox" data-task="${String(n)}"${checked ? ' checked' : ''}> `;
    },
  },
  extensions: [
    {
      name: 'tag',
      level: 'inline',
      start(src: string) {
        return TAG_START.exec(src)?.index;
      },
      tokenizer(src: string) {
        if (this.lexer.state.inLink) return undefined;
        const m = TAG_HERE.exec(src);
        const tag = m ? parseTag(m[1] ?? '') : null;
        if (!m || tag === null) return undefined;
        return { type: 'tag', raw: m[0], tag };
      },
      renderer(token) {
        const tag = String(token.tag);
        return `<a class="tag" data-tag="${escapeHtml(tag)}" href="?tag=${encodeURIComponent(tag)}">${escapeHtml(token.raw)}</a>`;
      },
    },
  ],
});

const ALLOWED_TAGS = [
  'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input',
]; // prettier-ignore
const ALLOWED_ATTR = ['href', 'class', 'type', 'checked', 'start', 'align', 'data-tag', 'data-task'];

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node instanceof HTMLInputElement && node.type !== 'checkbox') node.remove();
  if (!(node instanceof HTMLAnchorElement)) return;
  if (node.classList.contains('tag')) {
    const tag = parseTag(node.dataset.tag ?? '');
    if (tag !== null) {
      node.setAttribute('href', `?tag=${encodeURIComponent(tag)}`);
      return;
    }
    node.removeAttribute('class');
  }
  const href = node.getAttribute('href');
  node.removeAttribute('href');
  node.removeAttribute('data-tag');
  if (href === null) return;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return;
  }
  if (!LINK_PROTOCOLS.has(url.protocol)) return;
  node.setAttribute('href', url.href);
  node.setAttribute('rel', LINK_REL);
  node.setAttribute('target', '_blank');
});

export interface Rendered {
  /** The memo as sanitized nodes. */
  fragment: DocumentFragment;
  /** Where each task checkbox's `[ ]` is in the text, in order; null when they cannot be told apart. */
  tasks: number[] | null;
}

/** The memo's text as safe nodes. */
export function renderMarkdown(text: string): Rendered {
  taskOffsets = [];
  taskSource = text;
  taskCursor = 0;
  tasksRendered = 0;
  const html = marked.parse(text) as string;
  const fragment = DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
  const boxes = fragment.querySelectorAll('input[type="checkbox"]').length;
  // (walkTokens may have set it to null during parse: the compiler cannot see that.)
  const offsets = taskOffsets as number[] | null;
  const tasks = offsets !== null && offsets.length === boxes ? offsets : null;
  return { fragment, tasks };
}

/**
 * What a task box is about: its own list item's text, not the items nested under it (the first
 * 80 characters), for the box's name to screen readers.
 */
export function taskText(box: HTMLInputElement): string {
  return [...(box.closest('li')?.childNodes ?? [])]
    .filter((n) => !(n instanceof HTMLUListElement || n instanceof HTMLOListElement))
    .map((n) => n.textContent)
    .join('')
    .trim()
    .slice(0, 80);
}

/** The text with the `n`th task (by `tasks` offsets) ticked or unticked. */
export function toggleTask(text: string, offset: number, checked: boolean): string {
  return `${text.slice(0, offset)}[${checked ? 'x' : ' '}]${text.slice(offset + 3)}`;
}
