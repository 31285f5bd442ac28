// Bundles the page's script (page/src/main.ts and what it imports) into one small ES module.
// Type checking is tsc's job (page/tsconfig.json); this only bundles and minifies.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

await build({
  entryPoints: [here('../page/src/main.ts')],
  outfile: here('../dist/public/app.js'),
  bundle: true,
  format: 'esm',
  target: ['chrome111', 'firefox111', 'safari16.4'],
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
});
