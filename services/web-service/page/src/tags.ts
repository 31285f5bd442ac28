/**
 * The tags controller: the filter by a #태그 (and the address that keeps it), the tag list, and
 * renaming a tag. It owns its state (the tag shown, the one being renamed) and its elements'
 * events; what it needs of the rest of the page comes in as `TagsPage`.
 */
import { RequestFailed, api } from './api.js';
import { button, ui } from './dom.js';
import { fill } from './format.js';
import type { Speech } from './strings.js';

interface TagCount {
  tag: string;
  count: number;
}

/** What the tags need of the page: its words, the memo list, and how it says things. */
export interface TagsPage {
  speech(): Speech;
  /** Loads the first page of memos again (filtered by `active`). */
  reloadMemos(): Promise<void>;
  say(message: string): void;
  failed(err: unknown): void;
  /** Whether the memo list is on the screen (a logged-in person). */
  showing(): boolean;
}

export class Tags {
  /** The tag whose memos are shown; null: every memo. */
  active: string | null = null;
  #renaming: string | null = null;

  readonly #page: TagsPage;

  constructor(page: TagsPage) {
    this.#page = page;
  }

  /** Takes the tag from the address (a reload, a shared link) and wires the elements. */
  start(): void {
    this.active = new URLSearchParams(location.search).get('tag');
    this.showFilter();
    document.addEventListener('click', (event) => {
      const link = event.target instanceof Element ? event.target.closest<HTMLAnchorElement>('a.tag') : null;
      if (!link?.dataset.tag || ui.preview.contains(link)) {
        if (link && ui.preview.contains(link)) event.preventDefault();
        return;
      }
      event.preventDefault();
      void this.filter(link.dataset.tag).then(() => ui.tagFilterText.focus());
    });
    addEventListener('popstate', () => {
      const tag = new URLSearchParams(location.search).get('tag');
      if (tag !== this.active && this.#page.showing()) void this.filter(tag, false);
    });
    ui.tagClear.addEventListener('click', () => void this.filter(null));
    ui.tagsPanel.addEventListener('toggle', () => void this.load());
    ui.renameTo.addEventListener('input', () => ui.renameTo.setCustomValidity(''));
    ui.renameCancel.addEventListener('click', () => ui.renameDialog.close());
    ui.renameForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#rename();
    });
  }

  /** Shows the memos carrying `tag` (null: every memo), with the address to match. */
  async filter(tag: string | null, push = true): Promise<void> {
    this.active = tag;
    if (push) {
      const params = new URLSearchParams(location.search);
      if (tag === null) params.delete('tag');
      else params.set('tag', tag);
      const query = params.toString();
      history.pushState(null, '', location.pathname + (query ? `?${query}` : ''));
    }
    this.showFilter();
    try {
      await this.#page.reloadMemos();
    } catch (err) {
      this.#page.failed(err);
    }
  }

  /** The "#태그 memos" line above the list, in the page's words. */
  showFilter(): void {
    const { t } = this.#page.speech();
    ui.tagFilter.hidden = this.active === null;
    if (this.active !== null) ui.tagFilterText.textContent = fill(t.tagFilter, { tag: this.active });
  }

  /** The tag list, when it is open (most used first). */
  async load(): Promise<void> {
    if (!ui.tagsPanel.open) return;
    const { t, locale } = this.#page.speech();
    try {
      const { tags } = await api<{ tags: TagCount[] }>('memo/tags');
      ui.tagsEmpty.hidden = tags.length > 0;
      ui.tagList.replaceChildren(
        ...tags.map(({ tag, count }) => {
          const li = document.createElement('li');
          const a = document.createElement('a');
          a.href = `?tag=${encodeURIComponent(tag)}`;
          a.className = 'tag';
          a.dataset.tag = tag;
          a.textContent = `#${tag}`;
          const n = document.createElement('span');
          n.className = 'count';
          n.textContent = count.toLocaleString(locale);
          li.append(
            a,
            n,
            button(t.tagRename, fill(t.tagRenameLabel, { tag }), () => this.#askRename(tag, count), 'quiet'),
          );
          return li;
        }),
      );
    } catch (err) {
      this.#page.failed(err);
    }
  }

  #askRename(tag: string, count: number): void {
    const { t, locale } = this.#page.speech();
    this.#renaming = tag;
    ui.renameTitle.textContent = fill(t.tagRenameTitle, { tag });
    ui.renameText.textContent = fill(t.tagRenameText, { n: count.toLocaleString(locale) });
    ui.renameTo.value = tag;
    ui.renameDialog.showModal();
    ui.renameTo.select();
  }

  async #rename(): Promise<void> {
    const { t, locale } = this.#page.speech();
    const from = this.#renaming;
    const to = ui.renameTo.value.trim().replace(/^#/, '');
    if (from === null) return;
    try {
      const done = await api<{ from: string; to: string; renamed: number }>('memo/tags/rename', {
        method: 'POST',
        body: JSON.stringify({ from, to }),
      });
      ui.renameDialog.close();
      const active = this.active;
      if (active !== null && (active === done.from || active.startsWith(`${done.from}/`))) {
        await this.filter(done.to + active.slice(done.from.length));
      } else {
        await this.#page.reloadMemos();
      }
      await this.load();
      this.#page.say(fill(t.tagRenamed, { from: done.from, to: done.to, n: done.renamed.toLocaleString(locale) }));
    } catch (err) {
      if (err instanceof RequestFailed && err.code === 'tag_invalid') {
        ui.renameTo.setCustomValidity(t.errors.tag_invalid);
        ui.renameTo.reportValidity();
        return;
      }
      ui.renameDialog.close();
      this.#page.failed(err);
    }
  }
}
