import { describe, expect, it } from 'vitest';
import { DRAFT_PREFIX, Drafts, LAST_USER_KEY, SHARED_DRAFT_KEY } from '../src/drafts.js';
import { device } from './device.js';

describe('drafts on a shared device (budgets issue, finding 4)', () => {
  it('keeps a draft for its writer only, and drops it when someone else logs in', () => {
    const store = device();
    const page = new Drafts(store);
    page.keep('nobody is logged in');
    expect(store.map.size).toBe(0);
    page.adopt('hong');
    page.keep('홍의 쓰다 만 글');
    expect(page.current()).toBe('홍의 쓰다 만 글');
    // The same person again (a reload, a new session): the draft comes back.
    const again = new Drafts(store);
    again.adopt('hong');
    expect(again.current()).toBe('홍의 쓰다 만 글');
    // Someone else on the same browser: nothing of hong's, and hong's draft is gone.
    const next = new Drafts(store);
    next.adopt('kim');
    expect(next.current()).toBeNull();
    expect(store.map.has(`${DRAFT_PREFIX}hong`)).toBe(false);
    expect(store.map.get(LAST_USER_KEY)).toBe('kim');
  });

  it('never shows the one draft for everyone that earlier versions kept', () => {
    const store = device();
    store.set(SHARED_DRAFT_KEY, '누군가의 글');
    const page = new Drafts(store);
    page.adopt('lee');
    expect(page.current()).toBeNull();
    expect(store.map.has(SHARED_DRAFT_KEY)).toBe(false);
    page.keep('이의 글');
    page.keep(null);
    expect(page.current()).toBeNull();
  });
});
