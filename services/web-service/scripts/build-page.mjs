// Bundles the page's script (page/src/main.ts and what it imports) into one small ES module, and
// the service worker (page/sw/sw.ts) into a classic script.
// Type checking is tsc's job (page/tsconfig.json); this only bundles and minifies.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

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
