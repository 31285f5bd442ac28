import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasBrowser, launchProfile } from '@memo/testing/browser';
import { forgetMemos, memoCount, storeOn } from '@memo/testing/memos';
import { ko } from '../../services/web-service/page/src/strings.js';
import {
  SCREENSHOTS,
  USERS,
  logIn,
  memoTexts,
  newContext,
  redis,
  seed,
  seriousViolations,
  stack,
  status,
  useUxStack,
  type User,
} from './ux.js';

/**
 * What memos hold and where they wait: Markdown, tasks, folding, the preview and tags; offline,
 * the outbox and a shared device.
 */

useUxStack();

describe.skipIf(!hasBrowser())('Markdown, tasks, folding, the preview and tags', () => {
  /** The stored text of the user's memos, newest first, as Redis holds them. */
  const stored = async (user: User): Promise<string[]> =>
    (await storeOn(redis).list(USERS[user].id, 100)).memos.map((m) => m.text);

  it('renders Markdown but never a memo’s HTML, scripts or javascript: links, and stores the text as written', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const text = [
      '# 제목',
      '**굵게** _기울임_ ~~취소~~ `코드`',
      '<script>window.pwned = "script"</script>',
      '<img src="x" onerror="window.pwned = \'img\'">',
      "[눌러 보기](javascript:window.pwned='link') [메일](mailto:a@example.com) [상대](/auth/logout)",
      '![그림](https://example.com/a.png) <a href="javascript:alert(1)">a</a>',
      '> 인용',
    ].join('\n\n');
    await seed('kim', [text]);
    await page.reload();
    const memo = page.locator('#memos > li .memo-text').first();
    await expect.poll(() => memo.locator('strong').first().textContent()).toBe('제목');
    // Inside the memo: formatting, and no element a memo's author wrote.
    expect(await memo.locator('script, img, iframe, h1, [onerror]').count()).toBe(0);
    expect(await memo.locator('em').textContent()).toBe('기울임');
    expect(await memo.locator('del').textContent()).toBe('취소');
    expect(await memo.locator('code').textContent()).toBe('코드');
    expect(await memo.locator('blockquote').textContent()).toContain('인용');
    // Raw HTML is shown as the text it is.
    expect(await memo.innerText()).toContain('<script>window.pwned = "script"</script>');
    expect(await memo.innerText()).toContain('<img src="x" onerror="window.pwned = \'img\'">');
    const links = await memo
      .locator('a')
      .evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')]));
    const rel = 'noopener noreferrer nofollow ugc';
    expect(links).toEqual([
      ['눌러 보기', null, null],
      ['메일', 'mailto:a@example.com', rel],
      ['상대', null, null],
      ['그림', 'https://example.com/a.png', rel],
    ]);
    await memo.getByText('눌러 보기').click();
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await stored('kim')).toEqual([text]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'markdown.png'), fullPage: true });
    await context.close();
  });

  it('ticks a task at once and saves it; a refused save unticks it again', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', ['장보기\n- [ ] 우유\n- [x] 빵\n  - [ ] 통밀빵\n\n```\n- [ ] 코드 속\n```\n- [ ] 달걀']);
    await page.reload();
    const box = (name: string) => page.getByRole('checkbox', { name: `할 일: ${name}` });
    await expect.poll(() => page.getByRole('checkbox').count()).toBe(4);
    expect(await box('빵').isChecked()).toBe(true);
    await box('우유').check();
    await box('달걀').check();
    await expect
      .poll(() => stored('kim'))
      .toEqual(['장보기\n- [x] 우유\n- [x] 빵\n  - [ ] 통밀빵\n\n```\n- [ ] 코드 속\n```\n- [x] 달걀']);
    await box('통밀빵').check();
    await expect.poll(() => stored('kim').then((t) => t[0]?.includes('  - [x] 통밀빵'))).toBe(true);
    // The server refuses: the box goes back and the text is as before.
    await page.route('**/memo/*', (route) =>
      route.request().method() === 'PUT'
        ? route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: '{"error":{"code":"unavailable","message":"down"}}',
          })
        : route.continue(),
    );
    const before = await stored('kim');
    await box('빵').click();
    await expect.poll(() => box('빵').isChecked()).toBe(true);
    await expect.poll(() => status(page)).toBe(ko.errors.unavailable);
    expect(await stored('kim')).toEqual(before);
    await context.close();
  });

  it('ticks the task that was clicked when the same line stands earlier inside an HTML block (finding 10)', async () => {
    const context = await newContext();
    const page = await logIn(context, 'lee');
    const text = '<div>\n- [ ] 우유\n</div>\n\n- [ ] 우유';
    await seed('lee', [text]);
    await page.reload();
    const boxes = page.getByRole('checkbox');
    await expect.poll(() => boxes.count()).toBe(1);
    await boxes.first().check();
    await expect.poll(() => stored('lee')).toEqual(['<div>\n- [ ] 우유\n</div>\n\n- [x] 우유']);
    await context.close();
  });

  it('folds a long memo behind 더 보기 and previews what is being written', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', [Array.from({ length: 30 }, (_, i) => `줄 ${String(i + 1)}`).join('\n'), '짧은 메모']);
    await page.reload();
    const fold = page.locator('#memos .fold');
    await expect.poll(() => fold.getAttribute('aria-expanded')).toBe('false');
    expect(await fold.count()).toBe(1);
    expect(await fold.textContent()).toBe('더 보기');
    const text = page.locator('#memos > li .memo-text.folded');
    const folded = (await text.boundingBox())?.height ?? 0;
    await fold.click();
    await expect.poll(() => fold.getAttribute('aria-expanded')).toBe('true');
    expect(await fold.textContent()).toBe('접기');
    expect(
      (await page.locator(`#${(await fold.getAttribute('aria-controls')) ?? ''}`).boundingBox())?.height ?? 0,
    ).toBeGreaterThan(folded * 1.5);

    const preview = page.getByRole('button', { name: '미리보기' });
    await preview.click();
    expect(await preview.getAttribute('aria-pressed')).toBe('true');
    await page.getByLabel('새 메모').fill('**미리** 보는 #태그 <b>html</b>');
    await expect.poll(() => page.locator('#preview strong').textContent()).toBe('미리');
    expect(await page.locator('#preview b').count()).toBe(0);
    expect(await page.locator('#preview a.tag').textContent()).toBe('#태그');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'preview.png'), fullPage: true });
    await preview.click();
    expect(await page.locator('#preview').isVisible()).toBe(false);
    await context.close();
  });

  it('filters by a #태그 link, lists tags with counts, and renames a tag in every memo', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', ['#일 보고서 쓰기', '장보기 #집', '#일/회의 10시', '태그 없는 메모', '#일 메일 답장']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toHaveLength(5);
    // A tag in a memo is a link that filters, and the address says so.
    await page.locator('#memos > li').first().getByRole('link', { name: '#일' }).click();
    await expect.poll(() => memoTexts(page)).toEqual(['#일 메일 답장', '#일/회의 10시', '#일 보고서 쓰기']);
    expect(new URL(page.url()).searchParams.get('tag')).toBe('일');
    expect(await page.locator('#tag-filter-text').textContent()).toBe('#일 태그가 붙은 메모');
    expect(await seriousViolations(page)).toEqual([]);
    // A reload keeps the filter; back goes to every memo.
    await page.reload();
    await expect.poll(() => memoTexts(page)).toHaveLength(3);
    await page.getByRole('button', { name: '모든 메모 보기' }).click();
    await expect.poll(() => memoTexts(page)).toHaveLength(5);
    await page.goBack();
    await expect.poll(() => memoTexts(page)).toHaveLength(3);
    await page.getByRole('button', { name: '모든 메모 보기' }).click();

    await page.getByText('태그', { exact: true }).click();
    const list = page.locator('#tag-list li');
    await expect
      .poll(() =>
        list.evaluateAll((lis) =>
          lis.map(
            (li) => `${li.querySelector('a')?.textContent ?? ''} ${li.querySelector('.count')?.textContent ?? ''}`,
          ),
        ),
      )
      .toEqual(['#일 3', '#일/회의 1', '#집 1']);
    await page.getByRole('button', { name: '#일 태그 이름 바꾸기' }).click();
    const dialog = page.getByRole('dialog', { name: '#일 태그 이름 바꾸기' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'tags.png'), fullPage: true });
    // Not a tag: said in the dialog, nothing sent.
    await dialog.getByLabel('새 이름').fill('업 무');
    await dialog.getByRole('button', { name: '이름 바꾸기' }).click();
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByLabel('새 이름').fill('업무');
    await dialog.getByRole('button', { name: '이름 바꾸기' }).click();
    await expect.poll(() => status(page)).toBe('#일 태그를 #업무(으)로 바꿨습니다. (메모 3개)');
    await expect
      .poll(() => memoTexts(page))
      .toEqual(['#업무 메일 답장', '태그 없는 메모', '#업무/회의 10시', '장보기 #집', '#업무 보고서 쓰기']);
    expect(await stored('kim')).toEqual(await memoTexts(page));
    await expect
      .poll(() => list.evaluateAll((lis) => lis.map((li) => li.querySelector('a')?.textContent)))
      .toEqual(['#업무', '#업무/회의', '#집']);
    await context.close();
  });

  it('opens offline with the memos last seen, and sends memos written offline once each, in order, when back online', async () => {
    const context = await newContext();
    const page = await logIn(context, 'hong');
    await seed('hong', ['온라인 메모']);
    await page.reload();
    // The service worker takes the page over, and keeps what the next visit shows.
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['온라인 메모']);
    expect(await page.evaluate(async () => (await caches.keys()).sort())).toEqual([
      'memo-data',
      expect.stringMatching(/^memo-shell-[0-9a-f]{12}$/) as string,
    ]);
    // Meanwhile another device adds a memo this one cannot know of while offline.
    await seed('hong', ['다른 기기 메모']);
    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['온라인 메모']);
    await expect.poll(() => status(page)).toBe('오프라인입니다. 마지막으로 본 메모를 보여 드립니다.');
    // English was never shown on this device, yet it comes offline: its words are a file of
    // their own, loaded when first needed, and the service worker kept it with the page.
    await page.locator('#language').click();
    await expect.poll(() => page.locator('#language').textContent()).toBe('한국어');
    expect(await page.getByLabel('New memo').count()).toBe(1);
    await page.locator('#language').click();
    await expect.poll(() => page.locator('#language').textContent()).toBe('English');

    // Written offline: shown at once as waiting, kept on the device, nothing sent.
    for (const text of ['오프라인 하나', '오프라인 둘']) {
      await page.getByLabel('새 메모').fill(text);
      await page.getByRole('button', { name: '저장', exact: true }).click();
      await expect.poll(() => memoTexts(page).then((t) => t[0])).toBe(text);
    }
    await expect.poll(() => page.locator('#memos > li.queued').count()).toBe(2);
    expect(await page.locator('#memos > li.queued .pending-state').first().textContent()).toBe(
      '전송 대기 중 · 연결되면 보냅니다',
    );
    expect(await page.getByLabel('새 메모').inputValue()).toBe('');
    expect(await memoCount(redis, USERS.hong.id)).toBe(2);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'offline.png'), fullPage: true });
    // Still waiting after a reload offline.
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['오프라인 둘', '오프라인 하나', '온라인 메모']);

    // Back online, the first send is stored but its answer is lost on the way: the page sends it
    // again with the same key, and the server adds it once.
    let lost = 0;
    await page.route('**/memo', async (route) => {
      if (route.request().method() !== 'POST' || lost > 0) return route.continue();
      lost += 1;
      await route.fetch();
      return route.abort('internetdisconnected');
    });
    await context.setOffline(false);
    await expect.poll(() => memoCount(redis, USERS.hong.id), { timeout: 10_000 }).toBe(3);
    // The page tries again by itself: at once when it loads the list anew, or a few seconds on.
    await expect.poll(() => page.locator('#memos > li.queued').count(), { timeout: 15_000 }).toBe(0);
    const texts = await stored('hong');
    expect(texts).toEqual(['오프라인 둘', '오프라인 하나', '다른 기기 메모', '온라인 메모']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(texts);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('memo:outbox:')))).toEqual(
      [],
    );
    // Logging out forgets the memos kept for offline use.
    await page.getByRole('button', { name: '로그아웃' }).click();
    await expect.poll(() => page.evaluate(() => caches.has('memo-data'))).toBe(false);
    await context.close();
  });

  it('shows nothing of one person to the next on a shared device: their copy and draft go when another logs in (finding 4)', async () => {
    // One browser profile on disk, as a family computer has; two people, the first never logs out.
    const profile = mkdtempSync(join(tmpdir(), 'memo-profile-'));
    const context = await launchProfile(profile);
    try {
      await forgetMemos(redis, USERS.kim.id);
      const page = await logIn(context, 'hong');
      await seed('hong', ['홍의 비밀 #일기', '홍의 두 번째']);
      await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
      // Hong looks at a tag and at the list, and leaves a draft in the box.
      await page.goto(`${stack.url}?tag=${encodeURIComponent('일기')}`);
      await expect.poll(() => memoTexts(page)).toEqual(['홍의 비밀 #일기']);
      await page.goto(stack.url);
      await expect.poll(() => memoTexts(page)).toEqual(['홍의 두 번째', '홍의 비밀 #일기']);
      await page.getByLabel('새 메모').fill('홍의 쓰다 만 글');
      // Kim logs in on the same browser, straight through the login link (no 401 on the way).
      await page.goto(`${stack.url}auth/login`);
      await page.getByRole('button', { name: USERS.kim.label, exact: true }).click();
      await page.waitForURL(stack.url);
      await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
      await expect.poll(() => memoTexts(page)).toEqual([]);
      expect(await page.getByLabel('새 메모').inputValue()).toBe('');
      // The worker has kept kim's first page (and only it) for offline use.
      await expect
        .poll(() =>
          page.evaluate(async () =>
            (await (await caches.open('memo-data')).keys()).map((r) => new URL(r.url).pathname.split('/').pop()),
          ),
        )
        .toContain('memo');
      // Offline, the page hong looked at shows nothing of hong's.
      await context.setOffline(true);
      await page.goto(`${stack.url}?tag=${encodeURIComponent('일기')}`).catch(() => undefined);
      await expect.poll(() => page.locator('body').innerText()).not.toContain('홍의');
      await page.goto(stack.url).catch(() => undefined);
      await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
      expect(await page.locator('body').innerText()).not.toContain('홍의');
      // Nothing of hong's is kept on the device: not in the offline copy, not as a draft.
      const kept = await page.evaluate(async () => {
        const texts: string[] = [];
        for (const name of await caches.keys()) {
          if (!name.startsWith('memo-data')) continue;
          const cache = await caches.open(name);
          for (const request of await cache.keys()) texts.push(await ((await cache.match(request))?.text() ?? ''));
        }
        return [...texts, ...Object.keys(localStorage).map((k) => localStorage.getItem(k) ?? '')].join('\n');
      });
      expect(kept).not.toContain('홍의');
      expect(kept).not.toContain(USERS.hong.id);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('shows a memo once when the outbox sends again one the server stored before a reload', async () => {
    // A save whose answer never came (the page reloaded meanwhile) waits in the outbox, while the
    // server stored it: sent again under the same key, it is the memo the list shows already.
    await forgetMemos(redis, USERS.park.id);
    const context = await newContext();
    const page = await logIn(context, 'park');
    const text = '저장은 됐지만 답을 못 받은 메모';
    const stored = await page.request.post(new URL('memo', stack.url).toString(), {
      headers: { 'content-type': 'application/json', 'idempotency-key': 'lost-answer-0001' },
      data: { text },
    });
    expect(stored.status()).toBe(201);
    await page.evaluate(
      ([id, memo]) => {
        localStorage.setItem(
          `memo:outbox:${id}`,
          JSON.stringify([{ key: 'lost-answer-0001', text: memo, createdAt: new Date().toISOString() }]),
        );
      },
      [USERS.park.id, text],
    );
    const resent = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/memo'));
    await page.reload();
    expect((await resent).headers()['idempotent-replayed']).toBe('true');
    await expect.poll(() => page.evaluate((id) => localStorage.getItem(`memo:outbox:${id}`), USERS.park.id)).toBeNull();
    await expect.poll(() => page.locator('#memos > li.queued').count()).toBe(0);
    expect(await memoTexts(page)).toEqual([text]);
    expect(await memoCount(redis, USERS.park.id)).toBe(1);
    await context.close();
  });

  it('keeps at most 100 memos waiting on a device: past that, a memo written offline comes back to the box', async () => {
    const context = await newContext();
    const page = await logIn(context, 'lee');
    await page.evaluate((id) => {
      const waiting = Array.from({ length: 100 }, (_, i) => ({
        key: `waiting-${String(i).padStart(8, '0')}`,
        text: `대기 ${String(i)}`,
        createdAt: new Date().toISOString(),
      }));
      localStorage.setItem(`memo:outbox:${id}`, JSON.stringify(waiting));
    }, USERS.lee.id);
    await context.setOffline(true);
    await page.getByLabel('새 메모').fill('자리가 없는 메모');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await expect
      .poll(() => status(page))
      .toBe('메모를 저장하지 못했습니다. 네트워크에 연결할 수 없습니다. 연결을 확인해 주세요.');
    expect(await page.getByLabel('새 메모').inputValue()).toBe('자리가 없는 메모');
    expect(await page.locator('#memos > li.queued').count()).toBe(0);
    await context.close();
  });
});
