import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '@memo/testing/helm';

/**
 * What a release is made of, held without a forge (README, "Releases"): the workflows are valid
 * GitHub Actions workflows with every action pinned by commit SHA, the CI job is .ci/run on
 * Debian bookworm, the release job runs scripts/release.mjs for both platforms and signs what it
 * pushed; one version everywhere, bumped by one command; Renovate reads what it must keep
 * current. (The release script itself runs in the container rehearsal, against a registry.)
 */

const WORKFLOWS = join(ROOT, '.github/workflows');
const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'));
const validator = join(ROOT, 'node_modules/.bin/action-validator');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    {
      uses?: string;
      needs?: string;
      container?: { image: string; options?: string };
      permissions?: Record<string, string>;
      steps?: Step[];
    }
  >;
}
const workflow = (name: string): Workflow => parse(readFileSync(join(WORKFLOWS, name), 'utf8')) as Workflow;

describe('the release', () => {
  it('has valid workflows (action-validator), and the check can fail', () => {
    expect(files.sort()).toEqual(['ci.yml', 'release.yml']);
    for (const file of files) {
      const result = spawnSync(validator, [join(WORKFLOWS, file)], { encoding: 'utf8' });
      expect(result.status, `${file}: ${result.stdout}${result.stderr}`).toBe(0);
    }
    const dir = mkdtempSync(join(tmpdir(), 'memo-workflow-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(broken, readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8').replace('runs-on:', 'runs_on:'));
      expect(spawnSync(validator, [broken]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pins every action by commit SHA, with its version beside it', () => {
    for (const file of files) {
      const text = readFileSync(join(WORKFLOWS, file), 'utf8');
      const uses = text
        .split('\n')
        .map((line) => /^ *(?:- )?uses: ([^\s#]+)( *#.*)?$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null);
      expect(uses.length).toBeGreaterThan(0);
      for (const [line, ref = '', rest = ''] of uses) {
        if (ref.startsWith('./')) continue; // a workflow of this repository
        expect(ref, `${file}: ${line}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        expect(rest, `${file}: ${line}`).toMatch(/# v\d+\.\d+\.\d+/);
      }
    }
  });

  it('runs .ci/run on Debian bookworm for pull requests, and before every release', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
    const test = ci.jobs.test;
    expect(test?.container?.image).toBe('debian:bookworm');
    expect(test?.steps?.at(-1)?.run).toBe('bash .ci/run');
    // The gate and the upgrade rehearsal need the history, which checkout leaves out by default.
    expect(test?.steps?.find((s) => s.uses?.startsWith('actions/checkout@'))?.with).toEqual({ 'fetch-depth': 0 });
    const release = workflow('release.yml');
    expect(release.on).toEqual({ push: { tags: ['v*.*.*'] } });
    expect(release.jobs.test?.uses).toBe('./.github/workflows/ci.yml');
    expect(release.jobs.release?.needs).toBe('test');
  });

  it('builds both platforms with the tested script, then signs images, SBOMs and chart keylessly', () => {
    const job = workflow('release.yml').jobs.release;
    expect(job?.permissions).toEqual({ contents: 'write', packages: 'write', 'id-token': 'write' });
    const script = (job?.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(script).toMatch(
      /node scripts\/release\.mjs --registry "ghcr\.io\/\$\{GITHUB_REPOSITORY_OWNER,,\}" \\\n\s+--platforms linux\/amd64,linux\/arm64/,
    );
    expect(script).toContain('node scripts/version.mjs --check');
    expect(script).toContain('cosign sign --yes "$ref"');
    expect(script).toContain('cosign attest --yes --type cyclonedx');
    expect(script).toContain('cosign sign --yes "$chart"');
    // No key anywhere: keyless, by the workflow's OIDC identity.
    expect(script).not.toMatch(/--key\b|COSIGN_PRIVATE_KEY/);
    // The Naver stand-in is not released.
    expect(readFileSync(join(ROOT, 'scripts/release.mjs'), 'utf8')).not.toContain('naver-stub');
  });

  it('has one version everywhere, bumped by one command that also dates the CHANGELOG', () => {
    expect(spawnSync(process.execPath, ['scripts/version.mjs', '--check'], { cwd: ROOT }).status).toBe(0);
    const notes = spawnSync(process.execPath, ['scripts/version.mjs', '--notes'], { cwd: ROOT, encoding: 'utf8' });
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(notes.stdout).toMatch(new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}`));

    // A bump, in a copy: every package.json, the chart's version and appVersion, the CHANGELOG.
    const copy = mkdtempSync(join(tmpdir(), 'memo-version-'));
    try {
      const parts = ['package.json', 'package-lock.json', 'CHANGELOG.md', 'scripts', 'helm/memo/Chart.yaml'];
      const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
        .workspaces;
      for (const part of [...parts, ...workspaces.map((w) => `${w}/package.json`)]) {
        cpSync(join(ROOT, part), join(copy, part), { recursive: true });
      }
      const bumped = spawnSync(process.execPath, ['scripts/version.mjs', '9.8.7'], { cwd: copy, encoding: 'utf8' });
      expect(bumped.status, bumped.stderr).toBe(0);
      const check = spawnSync(process.execPath, ['scripts/version.mjs', '--check'], { cwd: copy, encoding: 'utf8' });
      expect(check.stdout).toContain('9.8.7 everywhere');
      expect(readFileSync(join(copy, 'helm/memo/Chart.yaml'), 'utf8')).toMatch(
        /^version: 9\.8\.7$[\s\S]*^appVersion: '9\.8\.7'$/m,
      );
      expect(readFileSync(join(copy, 'CHANGELOG.md'), 'utf8')).toMatch(/## \[Unreleased\]\n\n## \[9\.8\.7\] - \d{4}-/);
      // And --check fails once one of them disagrees.
      writeFileSync(
        join(copy, 'services/memo-service/package.json'),
        readFileSync(join(copy, 'services/memo-service/package.json'), 'utf8').replace('9.8.7', '9.8.6'),
      );
      expect(spawnSync(process.execPath, ['scripts/version.mjs', '--check'], { cwd: copy }).status).toBe(1);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('has Renovate read the base images, the chart’s Redis image, npm and the actions', () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'renovate.json'), 'utf8')) as {
      extends: string[];
      customManagers: { managerFilePatterns: string[]; matchStrings: string[] }[];
    };
    expect(config.extends).toContain('helpers:pinGitHubActionDigests');
    const found = config.customManagers.flatMap((manager) => {
      const file = (manager.managerFilePatterns[0] ?? '').replace(/^\/\^?|\$?\/$/g, '').replaceAll('\\.', '.');
      const text = readFileSync(join(ROOT, file), 'utf8');
      return manager.matchStrings.flatMap((m) =>
        [...text.matchAll(new RegExp(m, 'g'))].map(
          (hit) => `${hit.groups?.depName ?? ''}:${hit.groups?.currentValue ?? ''}`,
        ),
      );
    });
    const values = parse(readFileSync(join(ROOT, 'helm/memo/values.yaml'), 'utf8')) as {
      redis: { image: { repository: string; tag: string } };
    };
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(found.sort()).toEqual(
      [
        /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1],
        /^ARG RUNTIME_IMAGE=(\S+)$/m.exec(dockerfile)?.[1],
        `${values.redis.image.repository}:${values.redis.image.tag}`,
      ].sort(),
    );
  });
});
