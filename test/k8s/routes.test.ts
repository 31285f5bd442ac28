import { describe, expect, it } from 'vitest';
import { resolve, routesUnder, type Resolved, type ServiceName } from '@memo/stack';
import { ALL_ON, NAVER, render, type K8sObject } from '@memo/testing/helm';
import type { IngressSpec } from '@memo/testing/ingress-nginx';

/**
 * `npm start`'s gateway and the chart's Ingress and HTTPRoute must route the same paths to the
 * same services with the same rewrite. Each is simulated as its controller applies it, and the
 * three are compared path by path, so they cannot drift apart.
 */

const SUB_PATH = ['--set', 'publicUrl=https://team.example.com/memos/'];
const SERVICES: Record<string, ServiceName> = {
  'memo-memo': 'memo-service',
  'memo-auth': 'auth-service',
  'memo-web': 'web-service',
  'memo-naver-stub': 'naver-stub',
};

/**
 * ingress-nginx: with use-regex on any Ingress of a host every path of that host is a
 * case-insensitive regex (`location ~* "^<path>"`), longest first; rewrite-target rewrites
 * the path of a match on its own Ingress; the query string passes through.
 */
function nginx(ingresses: K8sObject[]): (target: string) => Resolved | null {
  const locations = ingresses.flatMap((ingress) => {
    const rewrite = ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target'];
    const redirect = ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/permanent-redirect'];
    return (ingress.spec as IngressSpec).rules.flatMap((rule) =>
      rule.http.paths.map((p) => ({
        path: p.path,
        regex: new RegExp(`^${p.path}`, 'i'),
        rewrite,
        redirect,
        service: p.backend.service.name,
      })),
    );
  });
  locations.sort((a, b) => b.path.length - a.path.length);
  return (target) => {
    const [path = '', query] = target.split(/\?(.*)/s);
    const hit = locations.find((l) => l.regex.test(path));
    if (!hit) return null;
    // `return 301 <url>$request_uri`-less: ingress-nginx answers the annotation's URL as it is,
    // and the query follows it (as the gateway keeps it).
    if (hit.redirect) return { redirect: new URL(hit.redirect).pathname + (query !== undefined ? `?${query}` : '') };
    const rewritten = hit.rewrite ? path.replace(hit.regex, hit.rewrite) : path;
    const service = SERVICES[hit.service];
    if (!service) throw new Error(`unknown backend ${hit.service}`);
    return { service, path: rewritten + (query !== undefined ? `?${query}` : '') };
  };
}

interface HttpRouteRule {
  matches: { path: { type: string; value: string } }[];
  filters?: {
    type: string;
    urlRewrite?: { path: { type: string; replacePrefixMatch: string } };
    requestRedirect?: { path: { type: string; replaceFullPath: string }; statusCode: number };
  }[];
  backendRefs?: { name: string }[];
}

/**
 * Gateway API: an Exact match before any prefix; PathPrefix on path elements, longest prefix
 * wins, ReplacePrefixMatch; RequestRedirect's ReplaceFullPath keeps the query. Matching is
 * case-sensitive (the implementations differ from ingress-nginx there).
 */
function gatewayApi(route: K8sObject): (target: string) => Resolved | null {
  const rules = (route.spec as { rules: HttpRouteRule[] }).rules.map((rule) => ({
    type: rule.matches[0]?.path.type ?? '',
    prefix: rule.matches[0]?.path.value ?? '',
    replace: rule.filters?.find((f) => f.type === 'URLRewrite')?.urlRewrite?.path.replacePrefixMatch,
    redirect: rule.filters?.find((f) => f.type === 'RequestRedirect')?.requestRedirect,
    service: rule.backendRefs?.[0]?.name ?? '',
  }));
  rules.sort((a, b) => Number(b.type === 'Exact') - Number(a.type === 'Exact') || b.prefix.length - a.prefix.length);
  return (target) => {
    const [path = '', query] = target.split(/\?(.*)/s);
    const hit = rules.find((r) =>
      r.type === 'Exact' ? path === r.prefix : r.prefix === '/' || path === r.prefix || path.startsWith(`${r.prefix}/`),
    );
    if (!hit) return null;
    if (hit.redirect) {
      expect(hit.redirect.statusCode).toBe(301);
      return { redirect: hit.redirect.path.replaceFullPath + (query !== undefined ? `?${query}` : '') };
    }
    let rewritten = path;
    if (hit.replace !== undefined) {
      // The matched prefix replaced, one slash where the two meet.
      const rest = path.slice(hit.prefix.length);
      rewritten =
        hit.replace.endsWith('/') && rest.startsWith('/') ? `${hit.replace}${rest.slice(1)}` : `${hit.replace}${rest}`;
      if (rewritten === '') rewritten = '/';
    }
    const service = SERVICES[hit.service];
    if (!service) throw new Error(`unknown backend ${hit.service}`);
    return { service, path: rewritten + (query !== undefined ? `?${query}` : '') };
  };
}

const SAMPLES = [
  '/',
  '/app.js',
  '/style.css?v=1',
  '/memo',
  '/memo/',
  '/memo?limit=5&cursor=20',
  '/memo/m0123456789abcdef',
  '/memo/m1/extra',
  '/memos',
  '/memorandum/x',
  '/auth',
  '/auth/login',
  '/auth/callback?code=abc&state=xyz',
  '/auth/me',
  '/auth/logout',
  '/auth/jwks.json',
  '/authority',
  '/_naver/oauth2.0/authorize?state=s',
  '/_naverish',
  '/index.html',
  // A share link's page (web-service) and what it asks memo-service for.
  '/s/AbCdEfGhIjKlMnOpQrStUvWx',
  '/memo/shared/AbCdEfGhIjKlMnOpQrStUvWx',
];

/** The same requests under the sub-path /memos/, and what lies outside it. */
const SUB_SAMPLES = [...SAMPLES.map((target) => `/memos${target}`), '/memos?x=1', '/memosx', '/memos-other/'];
const OUTSIDE = ['/', '/memo', '/auth/login', '/app.js', '/_naver/oauth2.0/authorize', '/memosx', '/other/memos/'];

for (const [name, args, samples] of [
  ['at the root', [...NAVER, ...ALL_ON], SAMPLES],
  ['under a sub-path', [...NAVER, ...ALL_ON, ...SUB_PATH], SUB_SAMPLES],
] as const) {
  describe(`routing parity ${name}: gateway, Ingress, HTTPRoute`, () => {
    const objects = render([...args]);
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    const httpRoute = objects.find((o) => o.kind === 'HTTPRoute');
    const base = name === 'at the root' ? '/' : '/memos/';
    const routes = routesUnder(base, true);
    const root = base.slice(0, -1);

    it('uses regex paths as ingress-nginx requires them (ImplementationSpecific)', () => {
      const api = ingresses.find((o) => o.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target']);
      const paths = (api?.spec as IngressSpec).rules[0]?.http.paths ?? [];
      const expected = [
        '/_naver(/|$)(.*)',
        '/auth(/|$)(.*)',
        '/memo(/|$)(.*)',
        // Share links (memo.sharing): the page and the memo it asks for.
        '/()(s/.*)',
        '/memo/()(shared/.*)',
      ].map((p) => `${root}${p}`);
      if (root) expected.push(`${root}(/)(.*)`);
      expect(paths.map((p) => p.path).sort()).toEqual(expected.sort());
      expect(paths.every((p) => p.pathType === 'ImplementationSpecific')).toBe(true);
      expect(api?.metadata.annotations?.['nginx.ingress.kubernetes.io/use-regex']).toBe('true');
      expect(api?.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target']).toBe('/$2');
    });

    it.each(samples)('%s goes to the same service with the same path everywhere', (target) => {
      const expected = resolve(target, routes);
      expect(nginx(ingresses)(target)).toEqual(expected);
      expect(gatewayApi(httpRoute as K8sObject)(target)).toEqual(expected);
    });

    it('matches case-insensitively, as ingress-nginx regex locations do', () => {
      for (const target of ['/MEMO', '/Auth/Login', '/MeMo/m1']) {
        expect(nginx(ingresses)(`${root}${target}`)).toEqual(resolve(`${root}${target}`, routes));
      }
    });

    it('would notice a drift (the comparison can fail)', () => {
      const drifted = structuredClone(ingresses);
      const api = drifted.find((o) => o.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target']);
      if (api?.metadata.annotations) api.metadata.annotations['nginx.ingress.kubernetes.io/rewrite-target'] = '/$1';
      expect(nginx(drifted)(`${root}/memo/m1`)).not.toEqual(resolve(`${root}/memo/m1`, routes));
    });

    if (root) {
      it('reaches nothing outside the sub-path, and sends /memos to /memos/', () => {
        for (const target of OUTSIDE) {
          expect(resolve(target, routes), target).toBeNull();
          expect(nginx(ingresses)(target), target).toBeNull();
          expect(gatewayApi(httpRoute as K8sObject)(target), target).toBeNull();
        }
        expect(resolve('/memos?x=1', routes)).toEqual({ redirect: '/memos/?x=1' });
        expect(resolve('/memos/', routes)).toEqual({ service: 'web-service', path: '/' });
        expect(resolve('/memos/memo/m1?a=b', routes)).toEqual({ service: 'memo-service', path: '/m1?a=b' });
      });
    }
  });
}

describe('share links’ routes', () => {
  it('are there while sharing is on, and left out with memo.sharing=false', () => {
    const pathsOf = (objects: K8sObject[]): string[] => [
      ...objects
        .filter((o) => o.kind === 'Ingress')
        .flatMap((o) => (o.spec as IngressSpec).rules.flatMap((r) => r.http.paths.map((p) => p.path))),
      ...objects
        .filter((o) => o.kind === 'HTTPRoute')
        .flatMap((o) => (o.spec as { rules: HttpRouteRule[] }).rules.map((r) => r.matches[0]?.path.value ?? '')),
    ];
    const share = ['/memos/()(s/.*)', '/memos/memo/()(shared/.*)', '/memos/s', '/memos/memo/shared'];
    const on = pathsOf(render([...NAVER, ...ALL_ON, ...SUB_PATH]));
    for (const path of share) expect(on, path).toContain(path);
    const off = pathsOf(render([...NAVER, ...ALL_ON, ...SUB_PATH, '--set', 'memo.sharing=false']));
    expect(off.filter((p) => share.includes(p))).toEqual([]);
    expect(off.length).toBe(on.length - share.length);
  });
});
