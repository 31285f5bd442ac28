#!/usr/bin/env node
// A release's build: the three service images, an SBOM of each, and the chart with the images'
// digests filled in, pushed to a registry. The release workflow runs it for linux/amd64 and
// linux/arm64 and then signs what it pushed; the tests run it single-arch against a registry on
// loopback (test/k8s/rehearsal.test.ts), so what the workflow does is what was tested.
//
//   node scripts/release.mjs --registry ghcr.io/acme [--platforms linux/amd64,linux/arm64]
//                            [--plain-http] [--out dist/release]
//
// Writes to --out: sbom/memo-<service>.cdx.json (CycloneDX, the service's production
// dependencies, by `npm sbom`), memo-<version>.tgz (the chart as published) and release.json (every image by
// digest, the chart's reference and digest). The Naver stand-in is for development and tests
// and is not released.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';

const root = fileURLToPath(new URL('../', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    registry: { type: 'string' },
    platforms: { type: 'string', default: '' },
    'plain-http': { type: 'boolean', default: false },
    out: { type: 'string', default: 'dist/release' },
  },
});
if (!opts.registry) {
  console.error(
    'usage: node scripts/release.mjs --registry <host[:port]/namespace> [--platforms …] [--plain-http] [--out …]',
  );
  process.exit(2);
}
const registry = opts.registry.replace(/\/$/, '');
const out = resolve(root, opts.out);
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const SERVICES = { auth: 'auth-service', memo: 'memo-service', web: 'web-service' };

const run = (cmd, args, extra = {}) =>
  execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...extra });
const say = (line) => process.stderr.write(`release: ${line}\n`);

execFileSync(process.execPath, [join(root, 'scripts/version.mjs'), '--check'], { cwd: root, stdio: ['ignore', 2, 2] });
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'sbom'), { recursive: true });

const images = {};
for (const [component, service] of Object.entries(SERVICES)) {
  const name = `${registry}/memo-${service}`;
  const labels = [
    ['org.opencontainers.image.version', version],
    ['org.opencontainers.image.title', `memo ${service}`],
  ].flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const common = ['-f', 'Dockerfile', '--build-arg', `SERVICE=${service}`, ...labels, '-t', `${name}:${version}`, '.'];
  let digest;
  if (opts.platforms) {
    // Several platforms at once: buildx pushes the index and says its digest.
    const metadata = join(out, `metadata-${service}.json`);
    run('docker', ['buildx', 'build', '--platform', opts.platforms, '--push', '--metadata-file', metadata, ...common]);
    digest = JSON.parse(readFileSync(metadata, 'utf8'))['containerimage.digest'];
  } else {
    // This machine's platform, with the engine at hand (the tests: one build, shared).
    run('docker', ['build', '--network', 'host', '-q', ...common]);
    const pushed = run('docker', ['push', `${name}:${version}`]);
    digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)?.[1];
  }
  if (!/^sha256:[a-f0-9]{64}$/.test(digest ?? '')) throw new Error(`no digest for ${name}`);
  images[component] = {
    repository: `memo-${service}`,
    reference: `${name}:${version}@${digest}`,
    pinned: `${name}@${digest}`,
    digest,
  };
  say(`${name}:${version}@${digest}`);
  // What the image holds of npm: the service's production dependencies, from the lockfile
  // (npm's own CycloneDX 1.5 writer; docs/decisions.md, "Releases").
  const sbom = run('npm', [
    'sbom',
    '--sbom-format',
    'cyclonedx',
    '--sbom-type',
    'application',
    '--workspace',
    `services/${service}`,
    '--omit',
    'dev',
  ]);
  writeFileSync(join(out, 'sbom', `memo-${service}.cdx.json`), sbom);
}

// The chart as published: the registry and the digests filled in, so that `helm install
// oci://…/charts/memo --version …` runs exactly these images with nothing else set.
const chartDir = join(out, 'chart', 'memo');
cpSync(join(root, 'helm/memo'), chartDir, { recursive: true });
const valuesPath = join(chartDir, 'values.yaml');
const values = parseDocument(readFileSync(valuesPath, 'utf8'));
values.setIn(['image', 'registry'], registry);
values.setIn(['image', 'tag'], version);
for (const [component, image] of Object.entries(images)) values.setIn([component, 'image', 'digest'], image.digest);
writeFileSync(valuesPath, values.toString());
const helm = (args) => run(process.execPath, [join(root, 'scripts/helm.mjs'), ...args]);
helm(['package', chartDir, '--version', version, '--app-version', version, '-d', out]);
const tgz = join(out, `memo-${version}.tgz`);
const chartRepo = `oci://${registry}/charts`;
// helm says what it pushed on standard error.
const pushing = spawnSync(
  process.execPath,
  [join(root, 'scripts/helm.mjs'), 'push', tgz, chartRepo, ...(opts['plain-http'] ? ['--plain-http'] : [])],
  { cwd: root, encoding: 'utf8' },
);
if (pushing.status !== 0) throw new Error(`helm push failed: ${pushing.stderr}`);
const pushed = pushing.stdout + pushing.stderr;
const chartDigest = /Digest: (sha256:[a-f0-9]{64})/.exec(pushed)?.[1];
if (!chartDigest) throw new Error(`helm push said no digest: ${pushed}`);
say(`${chartRepo}/memo:${version}@${chartDigest}`);
rmSync(join(out, 'chart'), { recursive: true, force: true });

const release = {
  version,
  registry,
  images,
  chart: { reference: `${chartRepo}/memo`, version, digest: chartDigest, file: tgz },
};
writeFileSync(join(out, 'release.json'), `${JSON.stringify(release, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(release)}\n`);
