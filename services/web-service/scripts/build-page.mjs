// Bundles the page's script (page/src/main.ts and what it imports) into one small ES module,
// with what the page loads only when first needed (`import()`: the English words) in chunks of
// its own beside it (`chunk-<hash>.js`), the page a share link opens (page/src/shared-page.ts)
// into one of its own, and the service worker (page/sw/sw.ts) into a classic script.
// Type checking is tsc's job (page/tsconfig.json); this only bundles and minifies.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib } from 'node:zlib';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const common = {
  bundle: true,
  target: ['chrome111', 'firefox111', 'safari16.4'],
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [here('../page/sw/sw.ts')],
  outfile: here('../dist/public/sw.js'),
  format: 'iife',
});

// Chunks of an earlier build go: web-service serves every chunk it finds here.
const out = here('../dist/public');
mkdirSync(out, { recursive: true });
for (const file of readdirSync(out)) if (file.startsWith('chunk-')) rmSync(`${out}/${file}`);

const { metafile } = await build({
  ...common,
  entryPoints: { app: here('../page/src/main.ts') },
  outdir: out,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  metafile: true,
});
// The chunks the script imports at once (code it shares with a chunk loaded later): the page
// names them for preloading (src/assets.ts), so that they come with the script, not after it.
const script = Object.entries(metafile.outputs).find(([file]) => file.endsWith('/app.js'))?.[1];
const preload = (script?.imports ?? [])
  .filter((i) => i.kind === 'import-statement')
  .map((i) => i.path.slice(i.path.lastIndexOf('/') + 1));
writeFileSync(`${out}/app.json`, `${JSON.stringify({ preload })}\n`);

// The page a share link opens (page/src/shared-page.ts): a bundle of its own, with the Markdown
// it shows and nothing of the memo page's state, storage or service worker.
await build({
  ...common,
  entryPoints: { shared: here('../page/src/shared-page.ts') },
  outdir: out,
  format: 'esm',
});

// Brotli at its best takes ~200 ms for the script: done here once, not at every start of
// web-service (src/assets.ts uses it when it matches the script, and compresses otherwise).
for (const file of readdirSync(out).filter(
  (f) => f === 'app.js' || f === 'shared.js' || (f.startsWith('chunk-') && f.endsWith('.js')),
)) {
  const js = readFileSync(`${out}/${file}`);
  writeFileSync(
    `${out}/${file}.br`,
    brotliCompressSync(js, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: js.length } }),
  );
}
