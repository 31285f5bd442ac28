// Bundles the page's script (page/src/main.ts and what it imports) into one small ES module, and
// the service worker (page/sw/sw.ts) into a classic script.
// Type checking is tsc's job (page/tsconfig.json); this only bundles and minifies.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
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

await build({
  ...common,
  entryPoints: [here('../page/src/main.ts')],
  outfile: here('../dist/public/app.js'),
  format: 'esm',
});

// Brotli at its best takes ~200 ms for the script: done here once, not at every start of
// web-service (src/assets.ts uses it when it matches the script, and compresses otherwise).
const js = readFileSync(here('../dist/public/app.js'));
writeFileSync(
  here('../dist/public/app.js.br'),
  brotliCompressSync(js, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: js.length } }),
);
