import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as core from 'kubernetes-models/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { importSessionKey } from '@memo/common';
import { ALL_ON, CHART, NAVER, ROOT, find, helm, render, type K8sObject } from '@memo/testing/helm';

/** The Helm chart: lint, render, validate every object, and hold every pod to our security bar. */

interface Validatable {
  validate(): void;
}
type Model = new (data: never) => Validatable;

const MODELS: Record<string, Model> = {
  'apps/v1/Deployment': apps.Deployment,
  'apps/v1/StatefulSet': apps.StatefulSet,
  'v1/Service': core.Service,
  'v1/Secret': core.Secret,
  'v1/ConfigMap': core.ConfigMap,
  'v1/PersistentVolumeClaim': core.PersistentVolumeClaim,
  'batch/v1/CronJob': batch.CronJob,
  'v1/Pod': core.Pod,
  'networking.k8s.io/v1/Ingress': networking.Ingress,
  'networking.k8s.io/v1/NetworkPolicy': networking.NetworkPolicy,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscaling.HorizontalPodAutoscaler,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

function validate(object: K8sObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

interface Container {
  name: string;
  image: string;
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string }; exec?: unknown };
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}
interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  containers: Container[];
  topologySpreadConstraints?: unknown[];
}

function podSpecs(objects: K8sObject[]): [string, PodSpec][] {
  const out: [string, PodSpec][] = [];
  for (const o of objects) {
    const spec = o.spec as { template?: { spec: PodSpec } } & PodSpec;
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet')
      out.push([`${o.kind}/${o.metadata.name}`, spec.template?.spec as PodSpec]);
    if (o.kind === 'Pod') out.push([`Pod/${o.metadata.name}`, spec]);
  }
  return out;
}

const defaults = render(NAVER);
const allOn = render([...NAVER, ...ALL_ON]);
/** Everything on, served under a sub-path of a shared domain. */
const SUB_PATH = ['--set', 'publicUrl=https://team.example.com/memos/'];
const subPath = render([...NAVER, ...ALL_ON, ...SUB_PATH]);

describe('the chart', () => {
  it('passes helm lint --strict with the defaults, every option, and the kind and prod overlays', () => {
    for (const args of [
      NAVER,
      [...NAVER, ...ALL_ON],
      [...NAVER, ...ALL_ON, ...SUB_PATH],
      ['-f', `${CHART}/values-kind.yaml`],
    ]) {
      const result = helm(['lint', '--strict', CHART, ...args]);
      expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
      expect(result.status).toBe(0);
    }
    const prod = helm([
      'lint',
      '--strict',
      CHART,
      '-f',
      `${CHART}/values-prod.yaml`,
      '--set',
      'naver.existingSecret=n',
      '--set',
      'ingress.tls.secretName=t',
      '--set',
      'privacy.contact=p',
    ]);
    expect(prod.status).toBe(0);
  });

  it('refuses to render without Naver credentials, naming what is missing', () => {
    const result = helm(['template', 'memo', CHART]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('naver.clientId (or naver.existingSecret) is required unless naverStub.enabled');
  });

  it("refuses to render for real users without the operator's contact for the privacy notice", () => {
    const result = helm(['template', 'memo', CHART, '--set', 'naver.clientId=a', '--set', 'naver.clientSecret=b']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('privacy.contact');
    const web = JSON.stringify(find(defaults, 'Deployment', 'memo-web'));
    expect(web).toContain('"name":"PRIVACY_CONTACT","value":"Privacy Officer <privacy@memo.example>"');
    expect(web).toContain('"name":"AOF_REWRITE_INTERVAL_SECONDS","value":"600"');
  });

  it('rejects a wrong type or an unknown key at install time (values.schema.json)', () => {
    for (const bad of ['memo.replicas=two', 'bogus=1', 'ingress.tlss.enabled=true', 'pods.logLevel=loud']) {
      const result = helm(['template', 'memo', CHART, ...NAVER, '--set', bad]);
      expect(result.status, bad).not.toBe(0);
      expect(result.stderr).toMatch(/schema/);
    }
  });

  it('renders only objects that validate against the Kubernetes schemas', () => {
    expect(defaults.map((o) => o.kind).sort()).toEqual(
      [
        ...Array<string>(3).fill('Deployment'),
        ...Array<string>(2).fill('Ingress'),
        ...Array<string>(5).fill('NetworkPolicy'),
        'Pod',
        ...Array<string>(3).fill('PodDisruptionBudget'),
        ...Array<string>(3).fill('Secret'),
        ...Array<string>(4).fill('Service'),
        'StatefulSet',
      ].sort(),
    );
    for (const kind of ['HTTPRoute', 'ServiceMonitor', 'PrometheusRule', 'HorizontalPodAutoscaler']) {
      expect(allOn.some((o) => o.kind === kind)).toBe(true);
    }
    for (const object of [...defaults, ...allOn, ...subPath]) validate(object);
  });

  it('catches an invalid object (the validation can fail)', () => {
    const broken = structuredClone(find(defaults, 'Deployment', 'memo-memo'));
    (broken.spec as { replicas: unknown }).replicas = 'two';
    expect(() => validate(broken)).toThrow();
  });

  it('holds every pod to the security bar', () => {
    for (const [name, spec] of [...podSpecs(defaults), ...podSpecs(allOn)]) {
      expect(spec.automountServiceAccountToken, name).toBe(false);
      expect(spec.securityContext?.runAsNonRoot, name).toBe(true);
      expect(spec.securityContext?.seccompProfile?.type, name).toBe('RuntimeDefault');
      for (const c of spec.containers) {
        expect(c.securityContext, `${name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(c.resources?.requests?.memory, `${name}/${c.name}`).toBeTruthy();
        expect(c.resources?.limits?.memory, `${name}/${c.name}`).toBeTruthy();
      }
    }
  });

  it('runs each service with 2 replicas, safe rollouts, spread, probes on the admin port, and a drain pause', () => {
    for (const name of ['memo-auth', 'memo-memo', 'memo-web']) {
      const deployment = find(defaults, 'Deployment', name);
      const spec = deployment.spec as {
        replicas: number;
        strategy: { rollingUpdate: { maxUnavailable: number } };
        template: { spec: PodSpec };
      };
      expect(spec.replicas).toBe(2);
      expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(spec.template.spec.topologySpreadConstraints).toHaveLength(1);
      const [container] = spec.template.spec.containers;
      expect(container?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'admin' });
      expect(container?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'admin' });
      expect(container?.lifecycle?.preStop?.sleep?.seconds).toBeGreaterThan(0);
      const pdb = find(defaults, 'PodDisruptionBudget', name);
      expect((pdb.spec as { maxUnavailable: number }).maxUnavailable).toBe(1);
      // With autoscaling the HPA owns the replica count.
      const scaled = find(allOn, 'Deployment', name).spec as { replicas?: number };
      expect(scaled.replicas).toBeUndefined();
    }
  });

  it('keeps Redis as a StatefulSet with a volume, append-only persistence, users of its own and ping probes', () => {
    const redis = find(defaults, 'StatefulSet', 'memo-redis').spec as {
      serviceName: string;
      volumeClaimTemplates: unknown[];
      template: { spec: PodSpec & { containers: (Container & { args: string[] })[] } };
    };
    expect(redis.volumeClaimTemplates).toHaveLength(1);
    const [container] = redis.template.spec.containers;
    expect(container?.args.join(' ')).toContain('--appendonly yes --appendfsync always');
    // No shared password: default off, admin (probes, backups), and a user per service whose
    // password the service alone is given.
    const args = container?.args.join(' ') ?? '';
    expect(args).not.toContain('--requirepass');
    expect(args).toContain('--user default off ');
    expect(args).toContain('--user admin on >$(REDIS_PASSWORD) ~* &* +@all');
    expect(args).toContain('--user memo-service on >$(MEMO_SERVICE_PASSWORD) resetkeys resetchannels -@all ');
    expect(args).toContain('--user auth-service on >$(AUTH_SERVICE_PASSWORD) resetkeys resetchannels -@all ');
    expect(JSON.stringify(container?.readinessProbe)).toContain('valkey-cli --user admin ping');
    expect(JSON.stringify(container?.livenessProbe)).toContain('valkey-cli --user admin ping');
    for (const [service, user] of [
      ['memo', 'memo-service'],
      ['auth', 'auth-service'],
    ] as const) {
      const serviceEnv = (find(defaults, 'Deployment', `memo-${service}`).spec as { template: { spec: PodSpec } })
        .template.spec.containers[0]?.env;
      expect(serviceEnv?.find((e) => e.name === 'REDIS_USERNAME')?.value).toBe(user);
      expect(serviceEnv?.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: 'memo-redis',
        key: `${user}-password`,
      });
    }
    // Valkey by default; an AOF that Redis 7.4 wrote is loaded only when asked (README, "Upgrading").
    expect(container?.image).toMatch(/^docker\.io\/valkey\/valkey:8\.1\.\d+-alpine$/);
    expect(args).not.toContain('--rdb-version-check');
    const relaxed = find(render([...NAVER, '--set', 'redis.rdbVersionCheck=relaxed']), 'StatefulSet', 'memo-redis')
      .spec as typeof redis;
    expect(relaxed.template.spec.containers[0]?.args.join(' ')).toContain('--rdb-version-check relaxed');
    expect(helm(['template', 'memo', CHART, ...NAVER, '--set', 'redis.rdbVersionCheck=loose']).status).not.toBe(0);
    const secret = find(defaults, 'Secret', 'memo-redis') as K8sObject & { data: Record<string, string> };
    expect(Object.keys(secret.data).sort()).toEqual([
      'auth-service-password',
      'memo-service-password',
      'redis-password',
    ]);
    expect(new Set(Object.values(secret.data)).size).toBe(3);
    const service = find(defaults, 'Service', redis.serviceName).spec as { clusterIP: string };
    expect(service.clusterIP).toBe('None');
    const external = render([
      ...NAVER,
      '--set',
      'redis.enabled=false',
      '--set',
      'externalRedis.url=rediss://cache.example.com:6380',
    ]);
    expect(external.some((o) => o.kind === 'StatefulSet')).toBe(false);
    const env = (find(external, 'Deployment', 'memo-memo').spec as { template: { spec: PodSpec } }).template.spec
      .containers[0]?.env;
    expect(env?.find((e) => e.name === 'REDIS_URL')?.value).toBe('rediss://cache.example.com:6380');
    expect(env?.find((e) => e.name === 'REDIS_USERNAME')).toBeUndefined();
    // An external Redis's users, one per service, when given.
    const withUsers = render([
      ...NAVER,
      ...['--set', 'redis.enabled=false', '--set', 'externalRedis.url=rediss://cache.example.com:6380'],
      ...['--set', 'externalRedis.existingSecret=cache-auth', '--set', 'externalRedis.users.memo.username=memo-app'],
    ]);
    const envOf = (service: string): PodSpec['containers'][number]['env'] =>
      (find(withUsers, 'Deployment', `memo-${service}`).spec as { template: { spec: PodSpec } }).template.spec
        .containers[0]?.env;
    expect(envOf('memo')?.find((e) => e.name === 'REDIS_USERNAME')?.value).toBe('memo-app');
    expect(envOf('memo')?.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'cache-auth',
      key: 'memo-service-password',
    });
    expect(envOf('auth')?.find((e) => e.name === 'REDIS_USERNAME')).toBeUndefined();
    expect(envOf('auth')?.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'cache-auth',
      key: 'redis-password',
    });
  });

  it('keeps Redis under its container limit: maxmemory derived from it, noeviction', () => {
    const argsOf = (objects: K8sObject[]): string[] =>
      (
        find(objects, 'StatefulSet', 'memo-redis').spec as {
          template: { spec: { containers: { args: string[] }[] } };
        }
      ).template.spec.containers[0]?.args ?? [];
    const maxmemory = (args: string[]): number => Number(args[args.indexOf('--maxmemory') + 1]);
    const args = argsOf(defaults);
    expect(args.join(' ')).toContain('--maxmemory-policy noeviction');
    // 75% of the default 256Mi limit.
    expect(maxmemory(args)).toBe(Math.floor(256 * 2 ** 20 * 0.75));
    for (const [limit, bytes] of [
      ['1Gi', 2 ** 30],
      ['512M', 512e6],
      ['1.5Gi', 1.5 * 2 ** 30],
    ] as const) {
      const set = ['--set', `redis.resources.limits.memory=${limit}`, '--set', 'redis.maxmemoryPercent=80'];
      expect(maxmemory(argsOf(render([...NAVER, ...set]))), limit).toBe(Math.floor(bytes * 0.8));
    }
    // No limit, nothing to derive it from: the chart refuses.
    const none = helm(['template', 'memo', CHART, ...NAVER, '--set', 'redis.resources.limits=null']);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/limits/);
  });

  it('trusts the one proxy in front and passes the quotas and login caps on', () => {
    const envOf = (name: string): Record<string, string | undefined> =>
      Object.fromEntries(
        (
          (find(defaults, 'Deployment', name).spec as { template: { spec: PodSpec } }).template.spec.containers[0]
            ?.env ?? []
        ).map((e) => [e.name, e.value]),
      );
    for (const name of ['memo-auth', 'memo-memo', 'memo-web']) expect(envOf(name).TRUST_PROXY, name).toBe('1');
    expect(envOf('memo-memo')).toMatchObject({
      MEMO_MAX_COUNT: '1000',
      MEMO_MAX_BYTES: '262144',
      TRASH_DAYS: '30',
      HISTORY_VERSIONS: '20',
    });
    // The trash's days and the versions kept reach the privacy notice too (web-service), and
    // both follow the values.
    expect(envOf('memo-web')).toMatchObject({ TRASH_DAYS: '30', HISTORY_VERSIONS: '20' });
    const set = render([...NAVER, '--set', 'memo.trashDays=7', '--set', 'memo.historyVersions=5']);
    const valueIn = (name: string, env: string): string | undefined =>
      (
        (find(set, 'Deployment', name).spec as { template: { spec: PodSpec } }).template.spec.containers[0]?.env ?? []
      ).find((e) => e.name === env)?.value;
    expect(['memo-memo', 'memo-web'].map((n) => [valueIn(n, 'TRASH_DAYS'), valueIn(n, 'HISTORY_VERSIONS')])).toEqual([
      ['7', '5'],
      ['7', '5'],
    ]);
    // Share links: on by default with their limits; off reaches both services (memo-service
    // opens none, web-service serves no /s/ page and its notice says so).
    expect(envOf('memo-memo')).toMatchObject({ SHARING: 'true', SHARE_MAX: '100', SHARE_OPEN_RATE_LIMIT: '60' });
    expect(envOf('memo-web')).toMatchObject({ SHARING: 'true' });
    const off = render([...NAVER, '--set', 'memo.sharing=false', '--set', 'memo.shareOpensPerMinute=10']);
    const offIn = (name: string, env: string): string | undefined =>
      (
        (find(off, 'Deployment', name).spec as { template: { spec: PodSpec } }).template.spec.containers[0]?.env ?? []
      ).find((e) => e.name === env)?.value;
    expect([
      offIn('memo-memo', 'SHARING'),
      offIn('memo-web', 'SHARING'),
      offIn('memo-memo', 'SHARE_OPEN_RATE_LIMIT'),
    ]).toEqual(['false', 'false', '10']);
    expect(envOf('memo-auth')).toMatchObject({
      SESSION_MAX_PER_USER: '10',
      LOGIN_RATE_LIMIT: '30',
      LOGIN_STATE_MAX: '10000',
    });
  });

  it('points the services at an external Redis Cluster over TLS, trusting the CA it is given', () => {
    const external = [
      ...NAVER,
      ...['--set', 'redis.enabled=false', '--set', 'externalRedis.url=rediss://clustercfg.memo.cache.example:6379'],
      ...['--set', 'externalRedis.mode=cluster', '--set', 'externalRedis.tls.caSecret=memo-redis-ca'],
    ];
    const objects = render(external);
    for (const object of objects) validate(object);
    const pod = (name: string): PodSpec & { volumes?: unknown[] } =>
      (find(objects, 'Deployment', name).spec as { template: { spec: PodSpec & { volumes?: unknown[] } } }).template
        .spec;
    for (const name of ['memo-auth', 'memo-memo']) {
      const spec = pod(name);
      const env = Object.fromEntries((spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
      expect(env, name).toMatchObject({
        REDIS_URL: 'rediss://clustercfg.memo.cache.example:6379',
        REDIS_CLUSTER: 'true',
        REDIS_CA_FILE: '/etc/memo/redis-ca/ca.crt',
      });
      expect(spec.volumes, name).toEqual([
        { name: 'redis-ca', secret: { secretName: 'memo-redis-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      ]);
      expect((spec.containers[0] as { volumeMounts?: unknown[] }).volumeMounts, name).toEqual([
        { name: 'redis-ca', mountPath: '/etc/memo/redis-ca', readOnly: true },
      ]);
    }
    expect(pod('memo-web').volumes).toBeUndefined();
    expect(objects.some((o) => o.kind === 'StatefulSet')).toBe(false);
    // Standalone by default; a CA only with rediss://.
    const plain = render([...NAVER, '--set', 'redis.enabled=false', '--set', 'externalRedis.url=redis://r:6379']);
    const plainEnv = (pod: PodSpec): string[] => (pod.containers[0]?.env ?? []).map((e) => e.name);
    const memoPod = (find(plain, 'Deployment', 'memo-memo').spec as { template: { spec: PodSpec } }).template.spec;
    expect(plainEnv(memoPod)).not.toContain('REDIS_CLUSTER');
    expect(plainEnv(memoPod)).not.toContain('REDIS_CA_FILE');
    const wrong = helm([
      ...['template', 'memo', CHART, ...NAVER, '--set', 'redis.enabled=false'],
      ...['--set', 'externalRedis.url=redis://r:6379', '--set', 'externalRedis.tls.caSecret=ca'],
    ]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain('externalRedis.url must be a rediss:// URL');
    const mode = helm(['template', 'memo', CHART, ...NAVER, '--set', 'externalRedis.mode=sentinel']);
    expect(mode.status).not.toBe(0);
  });

  it('generates real secrets and keeps none in values.yaml', () => {
    const values = parse(readFileSync(join(ROOT, CHART, 'values.yaml'), 'utf8')) as {
      naver: { clientId: string; clientSecret: string };
    };
    expect(values.naver.clientId).toBe('');
    expect(values.naver.clientSecret).toBe('');
    const session = find(defaults, 'Secret', 'memo-session') as K8sObject & { data: Record<string, string> };
    const pem = Buffer.from(session.data['private-key'] ?? '', 'base64').toString();
    expect(createPrivateKey(pem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const redis = find(defaults, 'Secret', 'memo-redis') as K8sObject & { data: Record<string, string> };
    expect(Buffer.from(redis.data['redis-password'] ?? '', 'base64').toString()).toMatch(/^[A-Za-z0-9]{32}$/);
    // An existing Secret replaces the generated one.
    const existing = render([
      ...NAVER,
      '--set',
      'session.existingSecret=my-key',
      '--set',
      'redis.existingSecret=my-redis',
    ]);
    expect(existing.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual(['memo-naver']);
  });

  it('generates nothing with secrets.generate false (GitOps): refuses by name, renders the same every time', async () => {
    const refused = helm(['template', 'memo', CHART, ...NAVER, '--set', 'secrets.generate=false']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('set session.existingSecret (key private-key');
    expect(refused.stderr).toContain(
      'redis.existingSecret (keys redis-password, memo-service-password and auth-service-password)',
    );
    // With an external Redis only the session key is needed.
    const external = ['--set', 'redis.enabled=false', '--set', 'externalRedis.url=redis://redis.example:6379'];
    const onlySession = helm(['template', 'memo', CHART, ...NAVER, ...external, '--set', 'secrets.generate=false']);
    expect(onlySession.stderr).toContain('set session.existingSecret');
    expect(onlySession.stderr).not.toContain('redis.existingSecret');
    const gitops = [...NAVER, ...ALL_ON, '--set', 'secrets.generate=false'];
    const named = [
      ...gitops,
      '--set',
      'session.existingSecret=memo-session-key',
      '--set',
      'redis.existingSecret=memo-redis-pw',
    ];
    const first = render(named);
    expect(render(named)).toEqual(first);
    expect(first.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual(['memo-naver']);
    // The README's one line that makes the session key: a key auth-service takes.
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect((await importSessionKey(pem.toString(), 'private')).algorithm.name).toBe('ECDSA');
  });

  it('signs sessions with the generated key as auth-service reads it', async () => {
    const session = find(defaults, 'Secret', 'memo-session') as K8sObject & { data: Record<string, string> };
    const key = await importSessionKey(Buffer.from(session.data['private-key'] ?? '', 'base64').toString(), 'private');
    expect(key.algorithm.name).toBe('ECDSA');
  });

  it('lets only the ingress controller reach the services, and only auth and memo reach Redis', () => {
    interface Peer {
      podSelector?: { matchLabels: Record<string, string> };
      namespaceSelector?: unknown;
    }
    interface Rule {
      from: Peer[];
      ports: { port: string }[];
    }
    const rules = (name: string): Rule[] => (find(defaults, 'NetworkPolicy', name).spec as { ingress: Rule[] }).ingress;
    const components = (rule: Rule): (string | undefined)[] =>
      rule.from.map((p) => p.podSelector?.matchLabels['app.kubernetes.io/component']);
    const redis = rules('memo-redis');
    expect(redis).toHaveLength(1);
    expect(components(redis[0] as Rule).sort()).toEqual(['auth', 'memo']);
    expect(redis[0]?.ports).toEqual([{ port: 'redis' }]);
    for (const name of ['memo-memo', 'memo-web', 'memo-auth']) {
      const [controller, own] = rules(name) as [Rule, Rule];
      expect(controller.from[0]?.namespaceSelector).toBeDefined();
      expect(controller.ports).toEqual([{ port: 'http' }]);
      const callers = name === 'memo-auth' ? ['memo', 'test'] : ['test'];
      expect(components(own).sort()).toEqual(callers);
    }
  });

  it('lets each pod reach exactly the peers its code calls, and nothing else (egress)', () => {
    const component = (labels?: Record<string, string>): string => labels?.['app.kubernetes.io/component'] ?? '?';
    interface EgressPeer {
      podSelector?: { matchLabels: Record<string, string> };
      namespaceSelector?: unknown;
      ipBlock?: { cidr: string };
    }
    interface Egress {
      to: EgressPeer[];
      ports: { port: number; protocol: string }[];
    }
    /** What the policies allow: `from -> to:port/protocol`, `to` a component, `dns` or `cidr <c>`. */
    const allowed = (objects: K8sObject[]): string[] =>
      objects
        .filter((o) => o.kind === 'NetworkPolicy')
        .flatMap((o) => {
          const spec = o.spec as {
            podSelector: { matchLabels: Record<string, string> };
            policyTypes: string[];
            egress?: Egress[];
          };
          expect(spec.policyTypes, o.metadata.name).toContain('Egress');
          const from = component(spec.podSelector.matchLabels);
          return (spec.egress ?? []).flatMap((rule) =>
            rule.to.flatMap((peer) => {
              const to = peer.namespaceSelector
                ? 'dns'
                : peer.podSelector
                  ? component(peer.podSelector.matchLabels)
                  : `cidr ${peer.ipBlock?.cidr ?? '?'}`;
              return rule.ports.map((p) => `${from} -> ${to}:${String(p.port)}/${p.protocol}`);
            }),
          );
        })
        .sort();
    /**
     * What the code calls, read from the rendered environment: the variables the services fetch
     * or connect to (NAVER_AUTHORIZE_URL is where the browser goes, PUBLIC_URL what it sees),
     * and the services the `helm test` script fetches. A named host needs DNS.
     */
    const CALLED = [
      'REDIS_URL',
      'SESSION_JWKS_URL',
      'NAVER_TOKEN_URL',
      'NAVER_PROFILE_URL',
      'NAVER_REVOKE_URL',
      'NAVER_STUB_UNLINK_URL',
    ];
    const PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'redis:': 6379, 'rediss:': 6379 };
    const called = (objects: K8sObject[], cidr: Record<string, string>): string[] => {
      const pairs = new Set<string>();
      const call = (from: string, url: URL): void => {
        const port = Number(url.port || PORTS[url.protocol]);
        const ours = /^memo-(.+)$/.exec(url.hostname)?.[1];
        const to = ours ?? `cidr ${cidr[url.protocol === 'https:' ? 'naver' : 'redis'] ?? '?'}`;
        pairs.add(`${from} -> ${to}:${String(port)}/TCP`);
        if (!/^[\d.]+$/.test(url.hostname)) for (const p of ['UDP', 'TCP']) pairs.add(`${from} -> dns:53/${p}`);
      };
      const podOf = (o: K8sObject): PodSpec =>
        o.kind === 'CronJob'
          ? (o.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } }).jobTemplate.spec.template.spec
          : (o.spec as { template: { spec: PodSpec } }).template.spec;
      for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'CronJob')) {
        const from = component(o.metadata.labels);
        for (const e of podOf(o).containers[0]?.env ?? []) {
          if (CALLED.includes(e.name) && e.value) call(from, new URL(e.value));
        }
      }
      const test = objects.find((o) => o.kind === 'Pod');
      const script = JSON.stringify(test?.spec);
      for (const [, c = ''] of script.matchAll(/base\('([a-z-]+)'\)/g)) call('test', new URL(`http://memo-${c}:8080/`));
      return [...pairs].sort();
    };
    const stub = render([...NAVER, '--set', 'naverStub.enabled=true', '--set', 'redis.backup.enabled=true']);
    const external = render([
      ...NAVER,
      ...['--set', 'redis.enabled=false', '--set', 'externalRedis.url=rediss://10.0.5.7:6380'],
      ...[
        '--set',
        'networkPolicy.externalRedisCidrs[0]=10.0.5.0/24',
        '--set',
        'networkPolicy.naverCidrs[0]=203.0.113.0/24',
      ],
    ]);
    for (const [objects, cidr] of [
      [defaults, { naver: '0.0.0.0/0' }],
      [stub, {}],
      [external, { naver: '203.0.113.0/24', redis: '10.0.5.0/24' }],
    ] as const) {
      expect(allowed(objects)).toEqual(called(objects, cidr));
    }
    // web-service and Redis call nobody: their policies deny all egress.
    for (const name of ['memo-web', 'memo-redis']) {
      expect((find(defaults, 'NetworkPolicy', name).spec as { egress: unknown[] }).egress, name).toEqual([]);
    }
    // And the comparison can fail: one peer more is seen.
    const more = structuredClone(defaults);
    const web = find(more, 'NetworkPolicy', 'memo-web').spec as { egress: Egress[] };
    web.egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    expect(allowed(more)).not.toEqual(called(more, { naver: '0.0.0.0/0' }));
  });

  it('prints the URL in NOTES and ships a helm test that checks the site answers', () => {
    const install = helm(['install', 'memo', CHART, '--dry-run=client', '-f', `${CHART}/values-kind.yaml`]);
    expect(install.status).toBe(0);
    expect(install.stdout).toContain('Open: http://localhost:8080/');
    const test = find(defaults, 'Pod', 'memo-test-site');
    expect(test.metadata.annotations?.['helm.sh/hook']).toBe('test');
    expect(JSON.stringify(test.spec)).toContain('http://memo-${c}:8080');
  });

  it("serves everything under publicUrl's path: routes, callback, stand-in, cookie scope, NOTES", () => {
    const install = helm(['install', 'memo', CHART, '--dry-run=client', ...NAVER, ...ALL_ON, ...SUB_PATH]);
    expect(install.status).toBe(0);
    expect(install.stdout).toContain('Open: https://team.example.com/memos/');
    const paths = subPath
      .filter((o) => o.kind === 'Ingress')
      .flatMap((o) => (o.spec as { rules: { http: { paths: { path: string }[] } }[] }).rules[0]?.http.paths ?? [])
      .map((p) => p.path);
    expect(
      paths.every((p) => p.startsWith('/memos')),
      paths.join(' '),
    ).toBe(true);
    const route = JSON.stringify(subPath.find((o) => o.kind === 'HTTPRoute'));
    expect(route).not.toMatch(/"value":"\/"/);
    const auth = JSON.stringify(find(subPath, 'Deployment', 'memo-auth'));
    expect(auth).toContain('"name":"PUBLIC_URL","value":"https://team.example.com/memos/"');
    expect(auth).toContain('https://team.example.com/memos/_naver/oauth2.0/authorize');
  });
});
