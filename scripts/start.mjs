// `npm start`: the whole stack in seconds, even on a fresh clone. No type checking here (the
// tests do it: `npm test` runs `tsc -b`); esbuild turns every workspace's TypeScript into
// dist/ as tsc would lay it out (~0.2 s for all), the page is bundled when its sources changed,
// and the launcher (packages/stack/dist/start.js) runs in this same process.
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The workspaces (package.json): the launcher, the services and what they import, and the tools. */
const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

const sources = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
        .map((f) => join(dir, f))
    : [];

await Promise.all(
  workspaces.map((workspace) =>
    build({
      entryPoints: sources(join(ROOT, workspace, 'src')),
      outdir: join(ROOT, workspace, 'dist'),
      outbase: join(ROOT, workspace, 'src'),
      tsconfig: join(ROOT, workspace, 'tsconfig.json'),
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      logLevel: 'warning',
    }),
  ),
);

// The page's bundle, when anything it is made from is newer than it.
const page = join(ROOT, 'services/web-service');
const newest = (dir) =>
  existsSync(dir)
    ? Math.max(0, ...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, String(f))).mtimeMs))
    : 0;
const bundle = join(page, 'dist/public/app.js');
const made = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
const inputs = Math.max(
  newest(join(page, 'page/src')),
  newest(join(page, 'page/sw')),
  statSync(join(page, 'scripts/build-page.mjs')).mtimeMs,
);
if (inputs > made) await import(pathToFileURL(join(page, 'scripts/build-page.mjs')).href);

await import(pathToFileURL(join(ROOT, 'packages/stack/dist/start.js')).href);
