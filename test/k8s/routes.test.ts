import { describe, expect, it } from 'vitest';
import { ROUTES, STUB_ROUTE, resolve, type Resolved, type ServiceName } from '@memo/stack';
import { ALL_ON, NAVER, render, type K8sObject } from '../support/helm.js';

/**
 * `npm start`'s gateway and the chart's Ingress and HTTPRoute must route the same paths to the
 * same services with the same rewrite. Each is simulated as its controller applies it, and the
 * three are compared path by path, so they cannot drift apart.
 */

const objects = render([...NAVER, ...ALL_ON]);
const SERVICES: Record<string, ServiceName> = {
  'memo-memo': 'memo-service',
  'memo-auth': 'auth-service',
  'memo-web': 'web-service',
  'memo-naver-stub': 'naver-stub',
};
const routes = [STUB_ROUTE, ...ROUTES];

interface IngressPath {
  path: string;
  pathType: string;
  backend: { service: { name: string } };
}
interface IngressSpec {
  rules: { host: string; http: { paths: IngressPath[] } }[];
}

/**
 * ingress-nginx: with use-regex on any Ingress of a host every path of that host is a
 * case-insensitive regex (`location ~* "^<path>"`), longest first; rewrite-target rewrites
 * the path of a match on its own Ingress; the query string passes through.
 */
function nginx(ingresses: K8sObject[]): (target: string) => Resolved | null {
  const locations = ingresses.flatMap((ingress) => {
    const rewrite = ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target'];
    return (ingress.spec as IngressSpec).rules.flatMap((rule) =>
      rule.http.paths.map((p) => ({
        path: p.path,
        regex: new RegExp(`^${p.path}`, 'i'),
        rewrite,
        service: p.backend.service.name,
      })),
    );
  });
  locations.sort((a, b) => b.path.length - a.path.length);
  return (target) => {
    const [path = '', query] = target.split(/\?(.*)/s);
    const hit = locations.find((l) => l.regex.test(path));
    if (!hit) return null;
    const rewritten = hit.rewrite ? path.replace(hit.regex, hit.rewrite) : path;
    const service = SERVICES[hit.service];
    if (!service) throw new Error(`unknown backend ${hit.service}`);
    return { service, path: rewritten + (query !== undefined ? `?${query}` : '') };
  };
}

interface HttpRouteRule {
  matches: { path: { type: string; value: string } }[];
  filters?: { type: string; urlRewrite: { path: { type: string; replacePrefixMatch: string } } }[];
  backendRefs: { name: string }[];
}

/** Gateway API: PathPrefix on path elements, longest prefix wins, ReplacePrefixMatch. */
function gatewayApi(route: K8sObject): (target: string) => Resolved | null {
  const rules = (route.spec as { rules: HttpRouteRule[] }).rules.map((rule) => ({
    prefix: rule.matches[0]?.path.value ?? '',
    replace: rule.filters?.find((f) => f.type === 'URLRewrite')?.urlRewrite.path.replacePrefixMatch,
    service: rule.backendRefs[0]?.name ?? '',
  }));
  rules.sort((a, b) => b.prefix.length - a.prefix.length);
  return (target) => {
    const [path = '', query] = target.split(/\?(.*)/s);
    const hit = rules.find((r) => r.prefix === '/' || path === r.prefix || path.startsWith(`${r.prefix}/`));
    if (!hit) return null;
    let rewritten = path;
    if (hit.replace !== undefined) {
      const rest = path.slice(hit.prefix.length);
      rewritten = rest.startsWith('/') ? rest : `${hit.replace}${rest}`;
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
];

describe('routing parity: gateway, Ingress, HTTPRoute', () => {
  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  const httpRoute = objects.find((o) => o.kind === 'HTTPRoute');

  it('uses regex paths as ingress-nginx requires them (ImplementationSpecific)', () => {
    const api = ingresses.find((o) => o.metadata.annotations?.['nginx.ingress.kubernetes.io/use-regex'] === 'true');
    const paths = (api?.spec as IngressSpec).rules[0]?.http.paths ?? [];
    expect(paths.map((p) => p.path).sort()).toEqual(['/_naver(/|$)(.*)', '/auth(/|$)(.*)', '/memo(/|$)(.*)']);
    expect(paths.every((p) => p.pathType === 'ImplementationSpecific')).toBe(true);
    expect(api?.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target']).toBe('/$2');
  });

  it.each(SAMPLES)('%s goes to the same service with the same path everywhere', (target) => {
    const expected = resolve(target, routes);
    expect(expected).not.toBeNull();
    expect(nginx(ingresses)(target)).toEqual(expected);
    expect(gatewayApi(httpRoute as K8sObject)(target)).toEqual(expected);
  });

  it('matches case-insensitively, as ingress-nginx regex locations do', () => {
    for (const target of ['/MEMO', '/Auth/Login', '/MeMo/m1']) {
      expect(nginx(ingresses)(target)).toEqual(resolve(target, routes));
    }
  });

  it('would notice a drift (the comparison can fail)', () => {
    const drifted = structuredClone(ingresses);
    const api = drifted.find((o) => o.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target']);
    if (api?.metadata.annotations) api.metadata.annotations['nginx.ingress.kubernetes.io/rewrite-target'] = '/$1';
    expect(nginx(drifted)('/memo/m1')).not.toEqual(resolve('/memo/m1', routes));
  });
});
