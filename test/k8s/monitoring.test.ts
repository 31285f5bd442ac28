import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ServiceHandle } from '@memo/common';
import { NAVER, render, type K8sObject } from '@memo/testing/helm';
import { sessionKeys } from '@memo/testing/env';
import { startAuth, startMemo, startStub } from '@memo/testing/services';

/**
 * The chart's PrometheusRule (templates/prometheusrule.yaml) and Grafana dashboards
 * (templates/dashboards.yaml) checked with the real tool. The rules:
 * `promtool check rules` on the rendered rules, and `promtool test rules` with, for every
 * alert, a case where it fires and one where it stays quiet. Every metric the rules read is one
 * the services really export (read from their /metrics) or one kube-state-metrics provides.
 * The dashboards: every panel's query parses (promtool, as a recording rule) and reads only such
 * metrics or the rules' recorded series.
 */

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Group {
  name: string;
  rules: Rule[];
}

const NS = 'memo';
const rendered = (): K8sObject[] =>
  render([...NAVER, '--set', 'prometheusRule.enabled=true', '--set', 'dashboards.enabled=true']);
const groupsOf = (objects: K8sObject[]): Group[] => {
  const rule = objects.find((o) => o.kind === 'PrometheusRule');
  if (!rule) throw new Error('no PrometheusRule rendered');
  return (rule.spec as { groups: Group[] }).groups;
};

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
function promtool(args: string[], cwd: string): { status: number | null; out: string } {
  const result = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** The annotations Prometheus gives an alert with these labels and this value (as a percentage). */
function annotationsFor(rule: Rule, labels: Record<string, string>, percent = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(rule.annotations ?? {})) {
    out[name] = text
      .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => labels[label] ?? '')
      .replace('{{ $value | humanizePercentage }}', percent);
  }
  return out;
}

/**
 * `n` minutes of a counter growing by `perMinute`, as promtool's series notation, one sample
 * every `step` minutes (the case's `every`).
 */
const growing = (perMinute: number, minutes: number, step = 1): string =>
  `0+${String(perMinute * step)}x${String(minutes / step)}`;
const steady = (value: number, minutes: number): string => `${String(value)}x${String(minutes)}`;

interface Case {
  alert: string;
  /** Minutes of input before the check. */
  at: number;
  series: { series: string; values: string }[];
  /** The labels of the alert that fires (besides the rule's own), or null: quiet. */
  fires: Record<string, string> | null;
  /** Its value as the annotations show it (humanizePercentage). */
  percent?: string;
  /** Minutes between input samples (1 unless said). */
  every?: number;
}

/** Requests of a service per minute: `ok` fine, `errors` 5xx, for `minutes`. */
function traffic(service: string, ok: number, errors: number, minutes: number, step = 1): Case['series'] {
  const base = `http_request_duration_seconds_count{namespace="${NS}", service="${service}", method="GET", route="/"`;
  return [
    { series: `${base}, status="200"}`, values: growing(ok, minutes, step) },
    { series: `${base}, status="503"}`, values: growing(errors, minutes, step) },
  ];
}

/** memo-service's GET /memo: `fast` answered within 0.1 s, `slow` after, per minute. */
function latency(fast: number, slow: number, minutes: number, step = 1): Case['series'] {
  const labels = `namespace="${NS}", service="memo-service", method="GET", route="/", status="200"`;
  return [
    { series: `http_request_duration_seconds_bucket{${labels}, le="0.1"}`, values: growing(fast, minutes, step) },
    { series: `http_request_duration_seconds_count{${labels}}`, values: growing(fast + slow, minutes, step) },
  ];
}

/** memo-service answering 2% 503s for 20 minutes, then none, for 80 minutes in all. */
function outageThatEnds(): Case['series'] {
  const [ok, errors] = traffic('memo-service', 980, 20, 80) as [Case['series'][0], Case['series'][0]];
  return [ok, { ...errors, values: `${growing(20, 20)} 400x60` }];
}

/** A Redis node using `used` bytes of `max` (0: no ceiling), for 20 minutes. */
const memory = (used: number, max: number): Case['series'] => [
  {
    series: `redis_memory_used_bytes{namespace="${NS}", service="memo-service", node="redis-0:6379"}`,
    values: steady(used, 20),
  },
  {
    series: `redis_memory_max_bytes{namespace="${NS}", service="memo-service", node="redis-0:6379"}`,
    values: steady(max, 20),
  },
];

/** A Deployment asking `spec` replicas with `available` of them, for 30 minutes (kube-state-metrics). */
const replicas = (deployment: string, spec: number, available: number): Case['series'] => [
  { series: `kube_deployment_spec_replicas{namespace="${NS}", deployment="${deployment}"}`, values: steady(spec, 30) },
  {
    series: `kube_deployment_status_replicas_available{namespace="${NS}", deployment="${deployment}"}`,
    values: steady(available, 30),
  },
];

/** Logins per minute for 40 minutes: `ok` succeed, `failed` end in `outcome`. */
const logins = (ok: number, outcome: string, failed: number): Case['series'] => [
  {
    series: `memo_logins_total{namespace="${NS}", service="auth-service", outcome="success"}`,
    values: growing(ok, 40),
  },
  {
    series: `memo_logins_total{namespace="${NS}", service="auth-service", outcome="${outcome}"}`,
    values: growing(failed, 40),
  },
];

/** Share links opened a minute, by outcome, for 40 minutes. */
const shareOpens = (perMinute: Record<string, number>): Case['series'] =>
  Object.entries(perMinute).map(([outcome, n]) => ({
    series: `memo_share_opens_total{namespace="${NS}", service="memo-service", outcome="${outcome}"}`,
    values: growing(n, 40),
  }));

const DAY3 = 3 * 24 * 60 + 15;
/**
 * The three-day cases take a sample every 5 minutes: a 3d rate then reads 867 samples a round,
 * not 4,335. The slow alerts read only the 6h and 3d ratios, which do not change with the step.
 */
const DAY_STEP = 5;
const memoService = { namespace: NS, service: 'memo-service' };

const CASES: Case[] = [
  // 2% errors for 70 minutes: 20x the 0.1% budget, past 14.4x in the hour and the 5 minutes.
  { alert: 'MemoErrorBudgetBurn', at: 70, series: traffic('memo-service', 980, 20, 70), fires: memoService },
  // An outage that ends: 20 minutes of 2% errors, then none (the real Prometheus test sees such
  // an alert fire; this is how it ends). At 40 minutes it still fires (6h and 30m over 6x); at
  // 80 it has resolved: the 30-minute window holds no error since minute 50.
  { alert: 'MemoErrorBudgetBurn', at: 40, series: outageThatEnds(), fires: memoService },
  { alert: 'MemoErrorBudgetBurn', at: 80, series: outageThatEnds(), fires: null },
  // 0.5%: 5x, under both fast thresholds (14.4x, 6x).
  { alert: 'MemoErrorBudgetBurn', at: 70, series: traffic('memo-service', 995, 5, 70), fires: null },
  // 0.2% for three days: 2x the budget over 3d and 6h.
  {
    alert: 'MemoErrorBudgetBurnSlow',
    at: DAY3,
    series: traffic('auth-service', 998, 2, DAY3, DAY_STEP),
    fires: { namespace: NS, service: 'auth-service' },
    every: DAY_STEP,
  },
  {
    alert: 'MemoErrorBudgetBurnSlow',
    at: DAY3,
    series: traffic('auth-service', 9995, 5, DAY3, DAY_STEP),
    fires: null,
    every: DAY_STEP,
  },
  // 20% slower than 0.1 s: 20x the 1% budget.
  { alert: 'MemoLatencyBudgetBurn', at: 70, series: latency(800, 200, 70), fires: memoService },
  { alert: 'MemoLatencyBudgetBurn', at: 70, series: latency(995, 5, 70), fires: null },
  {
    alert: 'MemoLatencyBudgetBurnSlow',
    at: DAY3,
    series: latency(980, 20, DAY3, DAY_STEP),
    fires: memoService,
    every: DAY_STEP,
  },
  {
    alert: 'MemoLatencyBudgetBurnSlow',
    at: DAY3,
    series: latency(998, 2, DAY3, DAY_STEP),
    fires: null,
    every: DAY_STEP,
  },
  {
    alert: 'MemoRedisUnreachable',
    at: 10,
    series: [
      { series: `redis_up{namespace="${NS}", service="memo-service", instance="10.0.0.7:9464"}`, values: '1x4 0x6' },
    ],
    fires: { namespace: NS, service: 'memo-service', instance: '10.0.0.7:9464' },
  },
  // Down for one minute (a failover) is not an alert.
  {
    alert: 'MemoRedisUnreachable',
    at: 10,
    series: [
      { series: `redis_up{namespace="${NS}", service="memo-service", instance="10.0.0.7:9464"}`, values: '1x8 0 1' },
    ],
    fires: null,
  },
  {
    alert: 'MemoRedisMemoryNearCeiling',
    at: 20,
    series: memory(95e6, 100e6),
    fires: { namespace: NS, node: 'redis-0:6379' },
    percent: '95%',
  },
  // No ceiling set (0): never "near" it.
  { alert: 'MemoRedisMemoryNearCeiling', at: 20, series: memory(95e6, 0), fires: null },
  {
    alert: 'MemoReplicasNotReady',
    at: 30,
    series: replicas('memo-memo', 2, 1),
    fires: { namespace: NS, deployment: 'memo-memo' },
  },
  // Another release's deployment is not ours.
  { alert: 'MemoReplicasNotReady', at: 30, series: replicas('other-memo', 2, 1), fires: null },
  {
    alert: 'MemoNaverLoginFailures',
    at: 40,
    series: logins(6, 'naver_unavailable', 4),
    fires: { namespace: NS },
    percent: '40%',
  },
  // A few failures among many logins.
  { alert: 'MemoNaverLoginFailures', at: 40, series: logins(60, 'naver_error', 1), fires: null },
  // Tokens tried at 90 a minute (most refused past the per-client limit) for half an hour.
  {
    alert: 'MemoShareLinksProbed',
    at: 40,
    series: shareOpens({ gone: 30, limited: 60 }),
    fires: { namespace: NS },
  },
  // Links opened all day, a stopped one now and then.
  {
    alert: 'MemoShareLinksProbed',
    at: 40,
    series: shareOpens({ shown: 200, gone: 5 }),
    fires: null,
  },
];

/** Metric names the rules may read that the services do not export: kube-state-metrics'. */
const KUBE_STATE_METRICS = new Set(['kube_deployment_spec_replicas', 'kube_deployment_status_replicas_available']);

/** PromQL's functions, aggregations and operators the rules and panels use: not series. */
const KEYWORDS = new Set(['sum', 'count', 'max', 'rate', 'increase', 'histogram_quantile', 'and', 'or', 'unless']);

/** Label lists of these name labels, not series. */
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/**
 * The series and function names in a PromQL expression: what is outside label matchers
 * (`{…}`), ranges (`[…]`) and grouping label lists (`by (…)`), split into words.
 */
function namesIn(expr: string): string[] {
  const names: string[] = [];
  let word = '';
  let depth = 0;
  // A grouping word was met: its list, `(…)`, comes next (an object: set in flush).
  const pending = { list: false };
  let listDepth = -1;
  const flush = (): void => {
    if (word !== '') names.push(word);
    if (GROUPING.has(word)) pending.list = true;
    word = '';
  };
  for (const ch of expr) {
    if (ch === '{' || ch === '[') depth += 1;
    else if (ch === '}' || ch === ']') depth -= 1;
    else if (depth === 0 && /[\w:]/.test(ch)) {
      if (listDepth < 0) word += ch;
      continue;
    } else if (depth === 0 && ch === '(') {
      flush();
      if (pending.list) {
        pending.list = false;
        listDepth = 1;
        continue;
      }
      if (listDepth > 0) listDepth += 1;
    } else if (depth === 0 && ch === ')' && listDepth > 0) {
      listDepth -= 1;
      if (listDepth === 0) listDepth = -1;
      continue;
    }
    if (listDepth < 0) flush();
  }
  flush();
  return names.filter((n) => !GROUPING.has(n) && !/^\d/.test(n));
}

describe('the PrometheusRule', () => {
  const work = mkdtempSync(join(tmpdir(), 'memo-alerts-'));
  let groups: Group[] = [];
  let objects: K8sObject[] = [];
  const services: ServiceHandle[] = [];
  const exported = new Set<string>();
  afterAll(async () => {
    await Promise.all(services.map((s) => s.close()));
    rmSync(work, { recursive: true, force: true });
  });
  beforeAll(async () => {
    objects = rendered();
    groups = groupsOf(objects);
    writeFileSync(join(work, 'rules.yml'), stringify({ groups }));
    const keys = sessionKeys();
    const stub = await startStub();
    services.push(stub, await startMemo(keys), await startAuth(keys, stub.url));
    for (const service of services) {
      const text = await (await fetch(`${service.adminUrl}/metrics`)).text();
      for (const m of text.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
        const [, name = '', type] = m;
        exported.add(name);
        if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) exported.add(`${name}${suffix}`);
      }
    }
  });

  /** Whether a name in a query is a series we have: exported, recorded by the rules, or kube-state-metrics'. */
  const known = (name: string): boolean =>
    exported.has(name) || KUBE_STATE_METRICS.has(name) || groups.some((g) => g.rules.some((r) => r.record === name));

  it('is valid for Prometheus (promtool check rules)', () => {
    const checked = promtool(['check', 'rules', 'rules.yml'], work);
    expect(checked.out).toContain('SUCCESS');
    expect(checked.status).toBe(0);
  });

  it('fires every alert when it should and not when it should not (promtool test rules)', () => {
    const alerts = groups.flatMap((g) => g.rules).filter((r): r is Rule & { alert: string } => r.alert !== undefined);
    // Every alert has a runbook, and a case of each kind.
    for (const rule of alerts) {
      expect(rule.annotations?.runbook_url, rule.alert).toMatch(new RegExp(`#${rule.alert.toLowerCase()}$`));
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      expect(CASES.filter((c) => c.alert === rule.alert && c.fires !== null).length, rule.alert).toBeGreaterThan(0);
      expect(CASES.filter((c) => c.alert === rule.alert && c.fires === null).length, rule.alert).toBeGreaterThan(0);
    }
    const test = (c: Case): unknown => {
      const rule = alerts.find((r) => r.alert === c.alert);
      if (!rule) throw new Error(`no alert ${c.alert}`);
      const labels = c.fires && { ...c.fires, ...rule.labels };
      return {
        name: `${c.alert} ${c.fires ? 'fires' : 'stays quiet'}`,
        interval: `${String(c.every ?? 1)}m`,
        input_series: c.series,
        alert_rule_test: [
          {
            eval_time: `${String(c.at)}m`,
            alertname: c.alert,
            exp_alerts: labels
              ? [{ exp_labels: labels, exp_annotations: annotationsFor(rule, labels, c.percent) }]
              : [],
          },
        ],
      };
    };
    // The three-day cases are evaluated every 5 minutes (every minute would be 4,335 rounds of
    // every rule; their alerts have no `for:`), the others every minute, so `for:` is exact. Not
    // slower than every 5 minutes: an alert may be evaluated before the recording rules of the
    // same round, and then reads the previous round's ratio, which must still be within
    // Prometheus's 5-minute lookback. (The days file took 35 s at 3 minutes with a sample a
    // minute, 16 s now, on a quiet machine; 36 s once in a cold CI run beside the image builds.)
    const files = {
      'minutes.yml': ['1m', CASES.filter((c) => c.at < 1000)],
      'days.yml': ['5m', CASES.filter((c) => c.at >= 1000)],
    } as const;
    for (const [file, [every, cases]] of Object.entries(files)) {
      writeFileSync(
        join(work, file),
        stringify({ rule_files: ['rules.yml'], evaluation_interval: every, tests: cases.map(test) }),
      );
      const result = promtool(['test', 'rules', file], work);
      expect(result.out, file).toContain('SUCCESS');
      expect(result.status, file).toBe(0);
    }
  }, 120_000);

  it('can fail: a case that expects the wrong thing is refused by promtool', () => {
    const wrong = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: traffic('memo-service', 995, 5, 70),
          alert_rule_test: [
            {
              eval_time: '70m',
              alertname: 'MemoErrorBudgetBurn',
              exp_alerts: [{ exp_labels: { ...memoService, severity: 'critical' } }],
            },
          ],
        },
      ],
    };
    writeFileSync(join(work, 'wrong.yml'), stringify(wrong));
    expect(promtool(['test', 'rules', 'wrong.yml'], work).status).not.toBe(0);
  });

  it('reads only metrics the services export or kube-state-metrics provides', () => {
    expect(known('memo_no_such_metric_total')).toBe(false);
    expect(namesIn('sum by (namespace, service) (rate(a_total{x="y"}[5m])) / on(job) b > 0.1')).toEqual([
      'sum',
      'rate',
      'a_total',
      'b',
    ]);
    expect(exported).toContain('redis_up');
    expect(exported).toContain('memo_logins_total');
    for (const rule of groups.flatMap((g) => g.rules)) {
      for (const name of namesIn(rule.expr)) {
        if (KEYWORDS.has(name)) continue;
        expect(known(name), `${rule.alert ?? rule.record ?? ''} reads ${name}`).toBe(true);
      }
    }
  });

  it('has dashboards for Grafana’s sidecar whose every query parses and reads only series we have', () => {
    const maps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    expect(maps.length).toBeGreaterThan(0);
    interface Panel {
      id: number;
      type: string;
      title: string;
      datasource?: { uid: string };
      targets?: { expr: string }[];
    }
    const rules: Rule[] = [];
    for (const map of maps) {
      for (const text of Object.values(map.data as Record<string, string>)) {
        expect(text).not.toContain('__');
        const dashboard = JSON.parse(text) as { uid: string; panels: Panel[] };
        const panels = dashboard.panels.filter((p) => p.type !== 'row');
        // The objectives and their budgets, RED, Redis, logins.
        for (const title of [
          'Availability',
          'error budget',
          'Requests per second',
          '5xx',
          'p99',
          'Memory against',
          'Keys',
          'Logins',
        ]) {
          expect(
            panels.some((p) => p.title.includes(title)),
            title,
          ).toBe(true);
        }
        for (const panel of panels) {
          expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
          expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
          for (const [k, target] of (panel.targets ?? []).entries()) {
            rules.push({ record: `dashboard:panel_${String(panel.id)}_${String(k)}`, expr: target.expr });
            for (const name of namesIn(target.expr)) {
              if (KEYWORDS.has(name)) continue;
              expect(known(name), `${panel.title} reads ${name}`).toBe(true);
            }
          }
        }
      }
    }
    writeFileSync(join(work, 'panels.yml'), stringify({ groups: [{ name: 'panels', rules }] }));
    const checked = promtool(['check', 'rules', 'panels.yml'], work);
    expect(checked.out).toContain('SUCCESS');
    expect(checked.status).toBe(0);
  });
});
