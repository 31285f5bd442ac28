/**
 * The floor: a bare node:http server doing what memo-service's GET /memo does in Redis (the
 * same Lua script, through the same client, ioredis) and nothing else: no framework, no
 * session check (the user id is taken from a bare `userId` cookie, as the original trusted
 * it), no logging, no metrics. memo-service's throughput is reported as a ratio of this. It
 * builds the page every time: memo-service answers a first page it kept as it is (page.lua),
 * which the floor does not, so memo-service can pass it on the first page.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { PAGE_SCRIPT, userKeys } from '@memo/store';

interface PageCommand {
  memoPage(...args: string[]): Promise<[string, number, number, string[]]>;
}

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
redis.defineCommand('memoPage', { numberOfKeys: 6, lua: PAGE_SCRIPT });
const pages = redis as Redis & PageCommand;

const server = createServer((req, res) => {
  const user = /(?:^|;\s*)userId=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? 'nobody';
  const { list, older, memos, meta, pins, firstPage } = userKeys(user);
  // No session to check (no key after firstPage), no form: nothing kept.
  pages.memoPage(list, older, memos, meta, pins, firstPage, '20', '-1', '0', '276', '', '').then(
    ([, rest, last, entries]) => {
      const next = rest > 0 ? `"${String(rest)}.${String(last)}"` : 'null';
      const body = `{"memos":[${entries.join(',')}],"nextCursor":${next}}`;
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(body);
    },
    () => {
      res.writeHead(503).end();
    },
  );
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`floor listening on http://127.0.0.1:${String(port)}`);
});
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
