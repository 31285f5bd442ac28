import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceHandle } from '@memo/common';
import { tagsOf } from '@memo/common/tags';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_FILE } from '../src/routes.js';
import type { Memo } from '@memo/store';
import { installOpenApiCheck } from '@memo/testing/openapi';
import { sessionKeys, uniqueUser } from '@memo/testing/env';
import { sessionCookie, startMemo } from '@memo/testing/services';

/** Export (JSON, Markdown in a zip) and import (merging by id; text files), over HTTP. */

const keys = sessionKeys();
let memo: ServiceHandle;
let restoreFetch: () => void = () => undefined;
const work = mkdtempSync(join(tmpdir(), 'memo-transfer-'));

beforeAll(async () => {
  memo = await startMemo(keys, { MEMO_MAX_COUNT: '20', IMPORT_LIMIT_BYTES: '20000' });
  restoreFetch = installOpenApiCheck(OPENAPI_FILE, () => memo.url);
});
afterAll(async () => {
  restoreFetch();
  await memo.close();
  rmSync(work, { recursive: true, force: true });
});

async function person(texts: string[]): Promise<string> {
  const id = uniqueUser();
  const cookie = await sessionCookie(keys, id);
  for (const text of texts) {
    const res = await fetch(`${memo.url}/`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    expect(res.status).toBe(201);
  }
  return cookie;
}

const list = async (cookie: string): Promise<Memo[]> =>
  ((await (await fetch(`${memo.url}/?limit=100`, { headers: { cookie } })).json()) as { memos: Memo[] }).memos;

const importFile = (cookie: string, body: string, type = 'application/json'): Promise<Response> =>
  fetch(`${memo.url}/import`, { method: 'POST', headers: { cookie, 'content-type': type }, body });

describe('export and import', () => {
  it('exports every memo losslessly as JSON, and an import after deleting them all brings back the same memos, twice safely', async () => {
    const cookie = await person(['첫째', '둘째 **굵게**\n둘째 줄', '셋째 #태그']);
    const edited = (await list(cookie))[1];
    await fetch(`${memo.url}/${edited?.id ?? ''}`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ text: '둘째, 고침' }),
    });
    const before = await list(cookie);
    const res = await fetch(`${memo.url}/export`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="memo-\d{4}-\d{2}-\d{2}\.json"$/);
    const file = await res.text();
    const exported = JSON.parse(file) as { version: number; exportedAt: string; memos: (Memo & { tags: string[] })[] };
    expect(exported.version).toBe(1);
    // Each memo as listed, with the tags its text carries (parents included).
    expect(exported.memos).toEqual(before.map((m) => ({ ...m, tags: tagsOf(m.text) })));
    expect(exported.memos.map((m) => m.tags)).toEqual([['태그'], [], []]);
    expect(exported.memos.some((m) => m.updatedAt !== null)).toBe(true);

    for (const m of before) await fetch(`${memo.url}/${m.id}`, { method: 'DELETE', headers: { cookie } });
    expect(await list(cookie)).toEqual([]);

    const back = await importFile(cookie, file);
    expect(back.status).toBe(200);
    expect(await back.json()).toEqual({ imported: 3, skipped: 0 });
    expect(await list(cookie)).toEqual(before);
    const again = await importFile(cookie, file);
    expect(await again.json()).toEqual({ imported: 0, skipped: 3 });
    expect(await list(cookie)).toEqual(before);
    // The deleted copies wait in the trash (exports leave the trash out); one whose memo the
    // import brought back is not restored over it.
    const restore = await fetch(`${memo.url}/trash/${before[0]?.id ?? ''}/restore`, {
      method: 'POST',
      headers: { cookie },
    });
    expect(restore.status).toBe(409);
    expect(((await restore.json()) as { error: { code: string } }).error.code).toBe('memo_exists');
    expect(await list(cookie)).toEqual(before);
    expect(
      (JSON.parse(await (await fetch(`${memo.url}/export`, { headers: { cookie } })).text()) as { memos: Memo[] })
        .memos,
    ).toHaveLength(3);
  });

  it('exports Markdown files in a zip, one per memo, the text unchanged under front matter', async () => {
    const cookie = await person(['# 제목\n\n- [ ] 할 일', '그냥 메모']);
    const res = await fetch(`${memo.url}/export.zip`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = join(work, 'export.zip');
    writeFileSync(zip, Buffer.from(await res.arrayBuffer()));
    const out = join(work, 'unzipped');
    expect(spawnSync('unzip', ['-q', '-o', zip, '-d', out]).status).toBe(0);
    const files = readdirSync(join(out, 'memos'));
    expect(files).toHaveLength(2);
    const bodies = files.map((f) => readFileSync(join(out, 'memos', f), 'utf8'));
    const memos = await list(cookie);
    for (const m of memos) {
      const body = bodies.find((b) => b.includes(`id: ${m.id}`));
      expect(body).toBe(`---\nid: ${m.id}\ncreatedAt: ${m.createdAt ?? ''}\nupdatedAt: \n---\n${m.text}\n`);
    }
  });

  it('imports a text or Markdown file, memos separated by lines of ---, the first on top', async () => {
    const cookie = await person([]);
    const res = await importFile(cookie, '첫 메모\n\n---\n두 번째\n여러 줄\r\n---\n\n', 'text/markdown; charset=utf-8');
    expect(await res.json()).toEqual({ imported: 2, skipped: 0 });
    expect((await list(cookie)).map((m) => m.text)).toEqual(['첫 메모', '두 번째\n여러 줄']);
  });

  it('refuses a bad file whole, naming what is wrong, and stores nothing', async () => {
    const cookie = await person(['그대로']);
    const cases: [string, string, RegExp][] = [
      ['{"version":2,"memos":[]}', 'application/json', /^version/],
      ['{"version":1,"memos":{}}', 'application/json', /^memos/],
      [
        '{"version":1,"memos":[{"id":"m0000000000abc","text":"ok","createdAt":null,"updatedAt":null},{"id":"../x","text":"y"}]}',
        'application/json',
        /^memos\[1\]\.(id|createdAt)/,
      ],
      [
        '{"version":1,"memos":[{"id":"m0000000000abd","text":"","createdAt":null,"updatedAt":null}]}',
        'application/json',
        /^memos\[0\]\.text/,
      ],
      [
        '{"version":1,"memos":[{"id":"m0000000000abe","text":"t","createdAt":"yesterday","updatedAt":null}]}',
        'application/json',
        /^memos\[0\]/,
      ],
      ['\n---\n', 'text/plain', /no memo/],
    ];
    for (const [body, type, message] of cases) {
      const res = await importFile(cookie, body, type);
      expect(res.status, body).toBe(400);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('invalid_import');
      expect(error.message).toMatch(message);
    }
    expect((await importFile(cookie, 'x', 'application/xml')).status).toBe(415);
    // Bytes that are not UTF-8 are refused, in either kind of file, never stored as U+FFFD.
    for (const type of ['text/plain', 'application/json']) {
      const res = await fetch(`${memo.url}/import`, {
        method: 'POST',
        headers: { cookie, 'content-type': type },
        body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      });
      expect(res.status, type).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_encoding');
    }
    expect((await importFile(cookie, 'x'.repeat(30_000), 'text/plain')).status).toBe(413);
    expect((await list(cookie)).map((m) => m.text)).toEqual(['그대로']);
  });

  it('applies the quota to imports: what fits comes in, the rest is refused with how much', async () => {
    const cookie = await person(Array.from({ length: 18 }, (_, i) => `있던 ${String(i)}`));
    const res = await importFile(cookie, ['하나', '둘', '셋', '넷'].join('\n---\n'), 'text/plain');
    expect(res.status).toBe(409);
    const error = ((await res.json()) as { error: { code: string; imported: number; quota: { reached: string } } })
      .error;
    expect(error.code).toBe('quota_exceeded');
    expect(error.imported).toBe(2);
    expect(error.quota.reached).toBe('memos');
    expect((await list(cookie)).length).toBe(20);
  });

  it('refuses an export naming one memo twice, and a file of more memos than an account keeps (finding 5)', async () => {
    const cookie = await person(['있던']);
    const [kept] = await list(cookie);
    const copies = Array.from({ length: 30 }, () => ({ ...kept, pinnedAt: '2026-01-01T00:00:00.000Z' }));
    const twice = await importFile(cookie, JSON.stringify({ version: 1, memos: copies }));
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'invalid_import',
      message: 'memos[1].id: appears twice in the file',
    });
    const many = await importFile(
      cookie,
      Array.from({ length: 21 }, (_, i) => `m${String(i)}`).join('\n---\n'),
      'text/plain',
    );
    expect(many.status).toBe(413);
    expect(((await many.json()) as { error: { code: string; max: number } }).error).toMatchObject({
      code: 'import_too_large',
      max: 20,
    });
    expect((await list(cookie)).map((m) => m.text)).toEqual(['있던']);
  });

  it('pins over HTTP: pinned first, 404 for a missing memo, and an export and import keep the pins', async () => {
    const cookie = await person(['하나', '둘', '셋']);
    const [three, two, one] = await list(cookie);
    const pin = (id: string, method = 'PUT'): Promise<Response> =>
      fetch(`${memo.url}/${id}/pin`, { method, headers: { cookie } });
    expect((await pin(one?.id ?? '')).status).toBe(204);
    expect((await pin('m0000000000zzz')).status).toBe(404);
    expect((await pin('../x')).status).toBe(404);
    const pinned = await list(cookie);
    expect(pinned.map((m) => m.text)).toEqual(['하나', '셋', '둘']);
    expect(pinned[0]?.pinnedAt).toMatch(/^\d{4}-/);

    const file = await (await fetch(`${memo.url}/export`, { headers: { cookie } })).text();
    for (const m of [one, two, three])
      await fetch(`${memo.url}/${m?.id ?? ''}`, { method: 'DELETE', headers: { cookie } });
    expect((await importFile(cookie, file)).status).toBe(200);
    expect(await list(cookie)).toEqual(pinned);

    expect((await pin(one?.id ?? '', 'DELETE')).status).toBe(204);
    expect((await list(cookie)).map((m) => m.text)).toEqual(['셋', '둘', '하나']);
  });
});
