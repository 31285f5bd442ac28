#!/usr/bin/env node
// The release's one version, in one place: every package.json of the repository (and the
// workspaces' versions of one another, in them and in package-lock.json), the chart's version
// and appVersion, and CHANGELOG.md. (`npm version --workspaces` leaves the workspaces'
// dependencies on one another at the old version, which npm then looks for in the registry.)
//   node scripts/version.mjs 1.2.0     bump everything to 1.2.0; CHANGELOG's Unreleased becomes [1.2.0]
//   node scripts/version.mjs --check   exit 1 unless everything agrees
//   node scripts/version.mjs --notes   print the current version's CHANGELOG section (release notes)
import { readFileSync, writeFileSync } from 'node:fs';

const root = process.cwd() + '/';
const read = (path) => readFileSync(root + path, 'utf8');
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

function versions() {
  const rootPackage = JSON.parse(read('package.json'));
  const found = { 'package.json': rootPackage.version };
  for (const workspace of rootPackage.workspaces) {
    found[`${workspace}/package.json`] = JSON.parse(read(`${workspace}/package.json`)).version;
  }
  const chart = read('helm/memo/Chart.yaml');
  found['Chart.yaml version'] = /^version: (\S+)$/m.exec(chart)?.[1];
  found['Chart.yaml appVersion'] = /^appVersion: '?([^'\s]+)'?$/m.exec(chart)?.[1];
  return found;
}

function section(changelog, version) {
  const start = changelog.search(new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\]`, 'm'));
  if (start < 0) return null;
  const rest = changelog.slice(start);
  const next = rest.slice(1).search(/^## \[/m);
  return (next < 0 ? rest : rest.slice(0, next + 1)).trim();
}

/** Sets `entry`'s version and its dependencies on the other workspaces to `version`. */
function bump(entry, version) {
  if (typeof entry.version === 'string') entry.version = version;
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const name of Object.keys(entry[field] ?? {})) if (name.startsWith('@memo/')) entry[field][name] = version;
  }
}

const [arg] = process.argv.slice(2);
const current = JSON.parse(read('package.json')).version;
if (arg === '--check') {
  const differ = Object.entries(versions()).filter(([, v]) => v !== current);
  const notes = section(read('CHANGELOG.md'), current);
  if (differ.length > 0 || !notes) {
    for (const [where, v] of differ) console.error(`version: ${where} has ${v}, package.json ${current}`);
    if (!notes) console.error(`version: CHANGELOG.md has no section for ${current}`);
    process.exit(1);
  }
  console.log(`version: ${current} everywhere`);
} else if (arg === '--notes') {
  const notes = section(read('CHANGELOG.md'), current);
  if (!notes) throw new Error(`CHANGELOG.md has no section for ${current}`);
  console.log(notes);
} else if (arg && SEMVER.test(arg)) {
  const rootPackage = JSON.parse(read('package.json'));
  for (const path of ['', ...rootPackage.workspaces]) {
    const file = `${path ? `${path}/` : ''}package.json`;
    const manifest = JSON.parse(read(file));
    bump(manifest, arg);
    writeFileSync(root + file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const lock = JSON.parse(read('package-lock.json'));
  lock.version = arg;
  for (const path of ['', ...rootPackage.workspaces]) if (lock.packages[path]) bump(lock.packages[path], arg);
  writeFileSync(root + 'package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
  const chart = read('helm/memo/Chart.yaml')
    .replace(/^version: \S+$/m, `version: ${arg}`)
    .replace(/^appVersion: .*$/m, `appVersion: '${arg}'`);
  writeFileSync(root + 'helm/memo/Chart.yaml', chart);
  const changelog = read('CHANGELOG.md');
  if (!/^## \[Unreleased\]$/m.test(changelog)) throw new Error('CHANGELOG.md has no "## [Unreleased]" section');
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(
    root + 'CHANGELOG.md',
    changelog.replace(/^## \[Unreleased\]$/m, `## [Unreleased]\n\n## [${arg}] - ${date}`),
  );
  console.log(
    `version: ${arg} (every package.json, package-lock.json, the chart, CHANGELOG.md); commit, then tag v${arg}`,
  );
} else {
  console.error('usage: node scripts/version.mjs <x.y.z> | --check | --notes   (run at the repository root)');
  process.exit(2);
}
