import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKeys, memoKeys, tagKey } from '@memo/common';
import { MOVE_WORK } from '@memo/store';
import { uniqueUser } from '@memo/testing/env';
import {
  cookieFor,
  cost,
  describeLoad,
  fullExport as exportOf,
  heavyLoad,
  rssMb,
  startBench,
  worstTexts,
  type Bench,
} from './support.js';
import type { ExportedMemo } from '@memo/bench/heavy';

/**
 * Every route's budget at the quota limits, with the worst content a user can store (README,
 * "Budgets"). One user must not stall memo-service's event loop, make Redis work beyond a
 * page, or grow its memory, whatever they stored. What can be counted is counted (Redis
 * commands, bytes); what must be timed has a wide margin, and this file runs alone after the
 * other tests (vitest project `budgets`), so a busy machine does not fail it.
 *
 * Defaults as the chart sets them: 1,000 memos, 256 KiB, 10,000 characters, 20 pins, 10 tags a
 * memo and 200 a user.
 */

const MAX_LENGTH = 10_000;
const MAX_COUNT = 1_000;
const MAX_BYTES = 256 * 1024;
const fullExport = (n = MAX_COUNT): ReturnType<typeof exportOf> => exportOf(n);

/** Budgets (README, "Budgets"). */
const BUDGET = {
  /** An add, edit or delete of the worst memo: event-loop time, Redis commands. */
  write: { held: 50, commands: 60 },
  /** A compaction step a write carries once dead refs pile up: MOVE_WORK refs, 3 commands each at most. */
  moveStep: { commands: 3 * MOVE_WORK },
  /** A page (20 memos and every pin), a tag page, the tag list, a pin. */
  read: { held: 50, commands: 150 },
  /** The largest import: wall time, commands, event-loop time. */
  import: { ms: 1_000, commands: 2_000, held: 250 },
  /** An export, per memo exported; a rename, per memo renamed. */
  perMemo: { commands: 30 },
  /** The longest a heavy request may hold the event loop at once. */
  heavyHeld: 100,
  /** Another user's read while heavy requests run. */
  otherRead: { ms: 500 },
  /** The admin port's probes (the chart's timeout is 2 s). */
  probe: { ms: 2_000 },
  /** The service's resident memory over its idle size while heavy requests run. */
  growthMb: 96,
  /** A user's Redis memory at the byte quota with the worst characters, over plain ASCII. */
  memoryRatio: 2,
};

let bench: Bench;
beforeAll(async () => {
  bench = await startBench();
  // Warm: the request schemas compile at the first request needing them, and V8 compiles
  // the hot functions over the first requests; the budgets are for a service that runs.
  const cookie = await cookieFor(bench, uniqueUser());
  for (let i = 0; i < 20; i++) {
    const res = await fetch(url('/'), json(cookie, 'POST', { text: `#warm ${'`x`'.repeat(i * 100)}` }));
    const { id } = (await res.json()) as Memo;
    await fetch(url(`/${id}`), json(cookie, 'PUT', { text: `#warm ${String(i)}` }));
    await fetch(url(`/?tag=warm`), { headers: { cookie } });
  }
  for (const path of ['/export', '/export.zip']) await (await fetch(url(path), { headers: { cookie } })).arrayBuffer();
});
afterAll(async () => {
  await bench.stop();
});

const url = (path: string): string => `${bench.memo.url}${path}`;
const json = (cookie: string, method: string, body: unknown, extra: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { cookie, 'content-type': 'application/json', ...extra },
  body: JSON.stringify(body),
});

type Memo = ExportedMemo;

/** A user at the memo quota (1,000 memos, 10 tags each, 20 pins), made by one import. */
async function fullUser(): Promise<{ user: string; cookie: string }> {
  const user = uniqueUser();
  const cookie = await cookieFor(bench, user);
  const res = await fetch(url('/import'), json(cookie, 'POST', fullExport()));
  expect(res.status).toBe(200);
  return { user, cookie };
}

describe('budgets at the quota limits', { concurrent: false }, () => {
  it('adds, edits and deletes the worst memo of each kind within 50 ms of event-loop time and 60 commands', async () => {
    // A user each: all eleven in one account, with the versions their edits keep, would pass the
    // byte quota (the history budget below edits at the quota).
    const worst = worstTexts(MAX_LENGTH);
    const names = Object.keys(worst);
    const cookies = await Promise.all(names.map(() => cookieFor(bench, uniqueUser())));
    const report: string[] = [];
    const ids: string[] = [];
    for (const [k, [name, text]] of Object.entries(worst).entries()) {
      const cookie = cookies[k] ?? '';
      const add = await cost(bench, () => fetch(url('/'), json(cookie, 'POST', { text })));
      expect(add.value.status, name).toBe(201);
      ids.push(((await add.value.json()) as Memo).id);
      report.push(`add ${name}: ${add.held.toFixed(0)} ms held, ${String(add.commands)} commands`);
      expect(add.held, `add ${name}`).toBeLessThan(BUDGET.write.held);
      expect(add.commands, `add ${name}`).toBeLessThanOrEqual(BUDGET.write.commands);
    }
    // Each memo edited into the next kind: the tags of both are parsed, the index changed.
    for (const [i, id] of ids.entries()) {
      const text = worst[names[(i + 1) % names.length] ?? ''] ?? '';
      const edit = await cost(bench, () => fetch(url(`/${id}`), json(cookies[i] ?? '', 'PUT', { text })));
      expect(edit.value.status).toBe(200);
      expect(edit.held, `edit ${String(i)}`).toBeLessThan(BUDGET.write.held);
      expect(edit.commands, `edit ${String(i)}`).toBeLessThanOrEqual(BUDGET.write.commands);
    }
    for (const [i, id] of ids.entries()) {
      const cookie = cookies[i] ?? '';
      const gone = await cost(bench, () => fetch(url(`/${id}`), { method: 'DELETE', headers: { cookie } }));
      expect(gone.value.status).toBe(204);
      expect(gone.held).toBeLessThan(BUDGET.write.held);
      expect(gone.commands).toBeLessThanOrEqual(BUDGET.write.commands);
    }
    console.log(report.join('\n'));
  });

  it('imports the largest export (1,000 memos, 10 tags each, 20 pins) in under 1 s and 2,000 commands', async () => {
    const cookie = await cookieFor(bench, uniqueUser());
    const file = fullExport();
    const first = await cost(bench, () => fetch(url('/import'), json(cookie, 'POST', file)));
    expect(await first.value.json()).toEqual({ imported: MAX_COUNT, skipped: 0 });
    // Again: every memo is there already (the merge by id).
    const again = await cost(bench, () => fetch(url('/import'), json(cookie, 'POST', file)));
    expect(await again.value.json()).toEqual({ imported: 0, skipped: MAX_COUNT });
    // The largest text file the body limit lets in: refused at the count before any work.
    const many = Array.from({ length: 50_000 }, (_, i) => `메모 ${String(i)}`).join('\n---\n');
    const text = await cost(bench, () =>
      fetch(url('/import'), { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: many }),
    );
    expect(text.value.status).toBe(413);
    for (const [name, c] of Object.entries({ first, again, text })) {
      console.log(
        `import ${name}: ${c.ms.toFixed(0)} ms, ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held`,
      );
      expect(c.ms, name).toBeLessThan(BUDGET.import.ms);
      expect(c.commands, name).toBeLessThan(BUDGET.import.commands);
      expect(c.held, name).toBeLessThan(BUDGET.import.held);
    }
  });

  it('reads a page, a tag page, the tags and pins of a full user in a page’s work', async () => {
    const { cookie } = await fullUser();
    const get = (path: string): Promise<Response> => fetch(url(path), { headers: { cookie } });
    const first = await cost(bench, () => get('/'));
    expect(((await first.value.json()) as { memos: Memo[] }).memos).toHaveLength(40);
    const deep = await cost(bench, async () => {
      let cursor = '';
      for (let i = 0; i < 3; i++) {
        const page = (await (await get(`/?limit=100${cursor}`)).json()) as { nextCursor: string };
        cursor = `&cursor=${page.nextCursor}`;
      }
      return get(`/?limit=20${cursor}`);
    });
    const tag = await cost(bench, () => get(`/?tag=${encodeURIComponent('태그7')}`));
    const tags = await cost(bench, () => get('/tags'));
    const pin = await cost(bench, () => fetch(url('/m00000000500/pin'), { method: 'PUT', headers: { cookie } }));
    expect(pin.value.status).toBe(409); // 20 pinned already
    const unpin = await cost(bench, () => fetch(url('/m00000000000/pin'), { method: 'DELETE', headers: { cookie } }));
    for (const [name, c] of Object.entries({ first, tag, tags, pin, unpin })) {
      console.log(`${name}: ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held`);
      expect(c.held, name).toBeLessThan(BUDGET.read.held);
      expect(c.commands, name).toBeLessThanOrEqual(BUDGET.read.commands);
    }
    // Four pages deep, each within a page's work.
    expect(deep.commands / 4).toBeLessThanOrEqual(BUDGET.read.commands);
  });

  it('lists, restores, deletes for good and empties a full trash (1,000 memos, 10 tags each) in a page’s work', async () => {
    const { user, cookie } = await fullUser();
    const ids = fullExport().memos.map((m) => m.id);
    const as = (method: string): RequestInit => ({ method, headers: { cookie } });
    // Everything to the trash; the last delete, into a trash of 999, within a write's budget.
    for (const id of ids.slice(0, -1)) expect((await fetch(url(`/${id}`), as('DELETE'))).status).toBe(204);
    const last = await cost(bench, () => fetch(url(`/${ids.at(-1) ?? ''}`), as('DELETE')));
    expect(last.value.status).toBe(204);
    const get = (path: string): Promise<Response> => fetch(url(path), { headers: { cookie } });
    const first = await cost(bench, () => get('/trash?limit=100'));
    const firstPage = (await first.value.json()) as { memos: Memo[]; total: number; nextCursor: string };
    expect(firstPage.memos).toHaveLength(100);
    expect(firstPage.total).toBe(MAX_COUNT);
    const deep = await cost(bench, () => get('/trash?limit=100&cursor=900'));
    expect(((await deep.value.json()) as { memos: Memo[]; nextCursor: null }).nextCursor).toBeNull();
    const restore = await cost(bench, () => fetch(url(`/trash/${ids[500] ?? ''}/restore`), as('POST')));
    expect(restore.value.status).toBe(200);
    const purge = await cost(bench, () => fetch(url(`/trash/${ids[501] ?? ''}`), as('DELETE')));
    expect(purge.value.status).toBe(204);
    const empty = await cost(bench, () => fetch(url('/trash/empty'), as('POST')));
    expect(await empty.value.json()).toEqual({ deleted: MAX_COUNT - 2 });
    for (const [name, c] of Object.entries({ last, restore, purge, empty })) {
      console.log(`trash ${name}: ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held`);
      expect(c.held, name).toBeLessThan(BUDGET.write.held);
      // With 999 dead refs the last delete also carries a compaction step: its work is bounded
      // by MOVE_WORK refs (a few commands each), whatever the list holds.
      const allowed = BUDGET.write.commands + (name === 'last' ? BUDGET.moveStep.commands : 0);
      expect(c.commands, name).toBeLessThanOrEqual(allowed);
    }
    for (const [name, c] of Object.entries({ first, deep })) {
      console.log(`trash ${name}: ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held`);
      expect(c.held, name).toBeLessThan(BUDGET.read.held);
      expect(c.commands, name).toBeLessThanOrEqual(BUDGET.read.commands);
    }
    // Emptied at once (UNLINK): nothing of the trash is left, and the usage is the one memo back.
    expect(await bench.client.exists(memoKeys(user).trash, memoKeys(user).trashAt)).toBe(0);
    const page = (await (await get('/')).json()) as { usage: { memos: { used: number } } };
    expect(page.usage.memos.used).toBe(1);
  });

  it('archives a full user’s memos (10 tags each) and lists, by tag too, and restores them in a page’s work', async () => {
    const { user, cookie } = await fullUser();
    const ids = fullExport().memos.map((m) => m.id);
    const as = (method: string): RequestInit => ({ method, headers: { cookie } });
    // Everything archived; the last, into an archive of 999, within a write's budget.
    for (const id of ids.slice(0, -1)) expect((await fetch(url(`/${id}/archive`), as('POST'))).status).toBe(204);
    const last = await cost(bench, () => fetch(url(`/${ids.at(-1) ?? ''}/archive`), as('POST')));
    expect(last.value.status).toBe(204);
    const get = (path: string): Promise<Response> => fetch(url(path), { headers: { cookie } });
    const first = await cost(bench, () => get('/archive?limit=100'));
    expect(((await first.value.json()) as { total: number }).total).toBe(MAX_COUNT);
    const deep = await cost(bench, () => get('/archive?limit=100&cursor=900'));
    expect(((await deep.value.json()) as { nextCursor: null }).nextCursor).toBeNull();
    // A tag that 50 archived memos carry, its last page.
    const tagged = await cost(bench, () => get(`/archive?limit=100&tag=${encodeURIComponent('태그7')}`));
    expect(((await tagged.value.json()) as { total: number }).total).toBe(50);
    const restore = await cost(bench, () => fetch(url(`/archive/${ids[500] ?? ''}/restore`), as('POST')));
    expect(restore.value.status).toBe(200);
    // Deleted from the archive, to the trash: its ten tags out of the archive's index.
    const discard = await cost(bench, () => fetch(url(`/archive/${ids[501] ?? ''}`), as('DELETE')));
    expect(discard.value.status).toBe(204);
    for (const [name, c] of Object.entries({ last, restore, discard })) {
      console.log(`archive ${name}: ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held`);
      expect(c.held, name).toBeLessThan(BUDGET.write.held);
      // With 999 dead refs the last archive also carries a compaction step (as a delete would).
      const allowed = BUDGET.write.commands + (name === 'last' ? BUDGET.moveStep.commands : 0);
      expect(c.commands, name).toBeLessThanOrEqual(allowed);
    }
    for (const [name, c] of Object.entries({ first, deep, tagged })) {
      console.log(`archive ${name}: ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held`);
      expect(c.held, name).toBeLessThan(BUDGET.read.held);
      expect(c.commands, name).toBeLessThanOrEqual(BUDGET.read.commands);
    }
    expect(await bench.client.zcard(memoKeys(user).archiveAt)).toBe(MAX_COUNT - 2);
  });

  it('shares a full user’s memos to the link limit, and lists, opens, refuses and ends links in a page’s work', async () => {
    const { user, cookie } = await fullUser();
    const ids = fullExport().memos.map((m) => m.id);
    const as = (method: string): RequestInit => ({ method, headers: { cookie } });
    // 100 links (SHARE_MAX), the last within a write's budget.
    const tokens: string[] = [];
    const share = (id: string): Promise<Response> => fetch(url(`/${id}/share`), as('POST'));
    for (const id of ids.slice(0, 99)) tokens.push(((await (await share(id)).json()) as { token: string }).token);
    const last = await cost(bench, () => share(ids[99] ?? ''));
    expect(last.value.status).toBe(201);
    tokens.push(((await last.value.json()) as { token: string }).token);
    // One more is refused, having read no more than the links.
    const refused = await cost(bench, () => share(ids[100] ?? ''));
    expect(refused.value.status).toBe(409);
    const list = await cost(bench, () => fetch(url('/shares'), { headers: { cookie } }));
    expect(((await list.value.json()) as { links: unknown[] }).links).toHaveLength(100);
    // Opened by anyone: the lookup and one script, whatever the user keeps.
    const open = await cost(bench, () => fetch(url(`/shared/${tokens[50] ?? ''}`)));
    expect(open.value.status).toBe(200);
    const gone = await cost(bench, () => fetch(url(`/shared/${'A'.repeat(24)}`)));
    expect(gone.value.status).toBe(404);
    const revoke = await cost(bench, () => fetch(url(`/${ids[50] ?? ''}/share`), as('DELETE')));
    expect(revoke.value.status).toBe(204);
    // Deleting a shared memo ends its link too.
    const remove = await cost(bench, () => fetch(url(`/${ids[51] ?? ''}`), as('DELETE')));
    expect(remove.value.status).toBe(204);
    expect((await fetch(url(`/shared/${tokens[51] ?? ''}`))).status).toBe(404);
    for (const [name, c] of Object.entries({ last, refused, revoke, remove })) {
      console.log(`share ${name}: ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held`);
      expect(c.held, name).toBeLessThan(BUDGET.write.held);
      // Making or refusing a link reads the user's links: at most SHARE_MAX, a page's work.
      const allowed = name === 'last' || name === 'refused' ? BUDGET.read.commands : BUDGET.write.commands;
      expect(c.commands, name).toBeLessThanOrEqual(allowed);
    }
    for (const [name, c] of Object.entries({ list, open, gone })) {
      console.log(`share ${name}: ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held`);
      expect(c.held, name).toBeLessThan(BUDGET.read.held);
      expect(c.commands, name).toBeLessThanOrEqual(name === 'list' ? BUDGET.read.commands : 10);
    }
    expect(await bench.client.hlen(memoKeys(user).shares)).toBe(98);
    // The worst texts, shared and opened: the answer is the text, whatever it holds.
    for (const [name, text] of Object.entries(worstTexts(MAX_LENGTH))) {
      const owner = await cookieFor(bench, uniqueUser());
      const made = (await (await fetch(url('/'), json(owner, 'POST', { text }))).json()) as Memo;
      const link = await fetch(url(`/${made.id}/share`), { method: 'POST', headers: { cookie: owner } });
      const { token } = (await link.json()) as { token: string };
      const opened = await cost(bench, () => fetch(url(`/shared/${token}`)));
      expect(((await opened.value.json()) as { text: string }).text, name).toBe(text);
      expect(opened.held, name).toBeLessThan(BUDGET.read.held);
      expect(opened.commands, name).toBeLessThanOrEqual(10);
    }
  });

  it('keeps, lists, restores and forgets a full history of the worst texts in a write’s and a page’s work', async () => {
    const user = uniqueUser();
    const cookie = await cookieFor(bench, user);
    const worst = Object.values(worstTexts(MAX_LENGTH));
    const created = await fetch(url('/'), json(cookie, 'POST', { text: worst[0] }));
    const { id } = (await created.json()) as Memo;
    // Edited through every worst text twice and more: the history is full (20 versions), or
    // its oldest gave way to the byte quota; every edit stays within a write's budget.
    const edits: { held: number; commands: number }[] = [];
    for (let i = 1; i <= 24; i++) {
      const text = `${String(i)}${(worst[i % worst.length] ?? '').slice(String(i).length)}`;
      const edit = await cost(bench, () => fetch(url(`/${id}`), json(cookie, 'PUT', { text })));
      expect(edit.value.status, `edit ${String(i)}`).toBe(200);
      edits.push(edit);
    }
    const history = await cost(bench, () => fetch(url(`/${id}/history`), { headers: { cookie } }));
    const body = (await history.value.json()) as { versions: { n: number; text: string }[] };
    const kept = body.versions.length;
    expect(kept).toBeGreaterThan(10);
    expect(kept).toBeLessThanOrEqual(20);
    expect(body.versions[0]?.n).toBe(24);
    // The history's bytes are in the usage, which stays within the quota.
    const usage = (await (await fetch(url('/'), { headers: { cookie } })).json()) as {
      usage: { bytes: { used: number } };
    };
    expect(usage.usage.bytes.used).toBeLessThanOrEqual(MAX_BYTES);
    const oldest = body.versions.at(-1)?.n ?? 0;
    const restore = await cost(bench, () =>
      fetch(url(`/${id}/history/${String(oldest)}/restore`), { method: 'POST', headers: { cookie } }),
    );
    expect(restore.value.status).toBe(200);
    const forget = await cost(bench, () => fetch(url(`/${id}/history`), { method: 'DELETE', headers: { cookie } }));
    expect(forget.value.status).toBe(200);
    const gone = await cost(bench, () => fetch(url(`/${id}`), { method: 'DELETE', headers: { cookie } }));
    expect(gone.value.status).toBe(204);
    const worstEdit = edits.reduce((a, b) => (b.commands > a.commands ? b : a));
    for (const [name, c] of Object.entries({ edit: worstEdit, restore, forget, delete: gone })) {
      console.log(`history ${name}: ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held`);
      expect(c.held, name).toBeLessThan(BUDGET.write.held);
      expect(c.commands, name).toBeLessThanOrEqual(BUDGET.write.commands);
    }
    for (const edit of edits) expect(edit.held).toBeLessThan(BUDGET.write.held);
    console.log(
      `history list (${String(kept)} versions): ${String(history.commands)} commands, ${history.held.toFixed(0)} ms held`,
    );
    expect(history.held).toBeLessThan(BUDGET.read.held);
    expect(history.commands).toBeLessThanOrEqual(BUDGET.read.commands);
    expect(await bench.client.exists(memoKeys(user).history)).toBe(0);
  });

  it('exports and renames a full user in bounded work per memo, holding the loop under 100 ms', async () => {
    const { cookie } = await fullUser();
    for (const path of ['/export', '/export.zip']) {
      const c = await cost(bench, async () => {
        const res = await fetch(url(path), { headers: { cookie } });
        return { status: res.status, size: (await res.arrayBuffer()).byteLength };
      });
      console.log(
        `${path}: ${c.ms.toFixed(0)} ms, ${String(c.commands)} commands, ${c.held.toFixed(0)} ms held, ${String(c.value.size)} bytes`,
      );
      expect(c.value.status).toBe(200);
      expect(c.commands / MAX_COUNT, path).toBeLessThanOrEqual(BUDGET.perMemo.commands);
      expect(c.held, path).toBeLessThan(BUDGET.heavyHeld);
    }
    // 태그0 is on 50 memos; 태그 under nothing else: rename one carried by every 20th memo.
    const rename = await cost(bench, () =>
      fetch(url('/tags/rename'), json(cookie, 'POST', { from: '태그0', to: '바뀐태그' })),
    );
    const { renamed } = (await rename.value.json()) as { renamed: number };
    expect(renamed).toBe(50);
    console.log(
      `rename: ${String(rename.commands)} commands for ${String(renamed)} memos, ${rename.held.toFixed(0)} ms held`,
    );
    expect(rename.commands / renamed).toBeLessThanOrEqual(BUDGET.perMemo.commands);
    expect(rename.held).toBeLessThan(BUDGET.heavyHeld);
  });

  it('admits one heavy request per user, on any replica: 429 busy with Retry-After while one runs', async () => {
    const { user, cookie } = await fullUser();
    // Another replica is running one of this user's heavy requests: its hold is in Redis.
    await bench.client.set(memoKeys(user).busy, 'another-replica', 'PX', 10_000);
    const tries: [string, RequestInit][] = [
      ['/export', { headers: { cookie } }],
      ['/export.zip', { headers: { cookie } }],
      ['/import', json(cookie, 'POST', fullExport(2))],
      ['/tags/rename', json(cookie, 'POST', { from: '태그1', to: '태그2' })],
    ];
    for (const [path, init] of tries) {
      const res = await fetch(url(path), init);
      expect(res.status, path).toBe(429);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('busy');
    }
    // Light requests are never held back.
    expect((await fetch(url('/'), { headers: { cookie } })).status).toBe(200);
    await bench.client.del(memoKeys(user).busy);
    for (const [path, init] of tries) {
      const res = await fetch(url(path), init);
      await res.arrayBuffer();
      expect(res.status, path).toBe(200);
    }
    // Each gave its place back: the hold is gone.
    expect(await bench.client.exists(memoKeys(user).busy)).toBe(0);
  });

  it('another user’s reads wait under 500 ms and the probes answer while heavy requests run, memory bounded', async () => {
    const heavy = [await fullUser(), await fullUser(), await fullUser(), await fullUser()];
    const reader = await cookieFor(bench, uniqueUser());
    for (let i = 0; i < 20; i++) await fetch(url('/'), json(reader, 'POST', { text: `읽는 사람 ${String(i)}` }));
    const load = await heavyLoad({
      url: bench.memo.url,
      adminUrl: bench.memo.adminUrl,
      heavy: heavy.map((h) => h.cookie),
      reader,
      seconds: 8,
      rss: () => rssMb(bench.memo),
    });
    console.log(describeLoad(load));
    expect(load.done).toBeGreaterThan(4);
    expect(load.errors).toBe(0);
    expect(load.reads.at(-1)).toBeLessThan(BUDGET.otherRead.ms);
    expect(Math.max(...load.probes)).toBeLessThan(BUDGET.probe.ms);
    expect(load.peakMb - load.idleMb).toBeLessThan(BUDGET.growthMb);
  });

  it('keeps a user’s Redis memory at the byte quota within 2× of plain ASCII, whatever the characters', async () => {
    /** Fills a new user with memos of `unit` until the byte quota refuses, then measures their keys. */
    async function filled(unit: string, length: number): Promise<number> {
      const user = uniqueUser();
      const cookie = await cookieFor(bench, user);
      const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
      for (let i = 0; i < MAX_COUNT; i++) {
        const res = await fetch(url('/'), json(cookie, 'POST', { text }));
        if (res.status !== 201) {
          expect(res.status).toBeGreaterThanOrEqual(409);
          break;
        }
      }
      let bytes = 0;
      const tags = await bench.client.zrange(memoKeys(user).tags, 0, -1);
      for (const key of [...accountKeys(user), ...tags.map((t) => tagKey(user, t))]) {
        bytes += (await bench.client.memory('USAGE', key, 'SAMPLES', 0)) ?? 0;
      }
      return bytes;
    }
    for (const length of [MAX_LENGTH, 300]) {
      const ascii = await filled('a', length);
      for (const unit of ['\u0001', '"', '\\', '가', '😀']) {
        const worst = await filled(unit, length);
        console.log(
          `${JSON.stringify(unit)} x ${String(length)}: ${String(worst)} bytes vs ${String(ascii)} for 'a' (${(worst / ascii).toFixed(2)}x)`,
        );
        expect(worst / ascii, `${JSON.stringify(unit)} in memos of ${String(length)}`).toBeLessThanOrEqual(
          BUDGET.memoryRatio,
        );
      }
    }
    expect(MAX_BYTES).toBe(262_144);
  });
});
