/**
 * How requests are routed: the same table drives the local gateway and is what the
 * Kubernetes Ingress must express (`/memo(/|$)(.*)` rewritten to `/$2`, case-insensitive, as
 * ingress-nginx does with `use-regex`). A test keeps the two in step.
 */

export type ServiceName = 'memo-service' | 'auth-service' | 'web-service' | 'naver-stub';

export interface Route {
  /** Public path prefix, without a trailing slash ('' for the catch-all). */
  readonly prefix: string;
  readonly service: ServiceName;
  /** Whether the prefix is stripped before the request reaches the service. */
  readonly strip: boolean;
}

export const ROUTES: readonly Route[] = [
  { prefix: '/memo', service: 'memo-service', strip: true },
  { prefix: '/auth', service: 'auth-service', strip: true },
  { prefix: '', service: 'web-service', strip: false },
];

/** Dev only: the Naver stand-in's login page, reachable by the browser through the gateway. */
export const STUB_ROUTE: Route = { prefix: '/_naver', service: 'naver-stub', strip: true };

/**
 * The base path of a public URL (`http://h/memos` and `http://h/memos/` → `/memos/`): where
 * everything is served, from one setting (PUBLIC_URL; the chart's `publicUrl`).
 */
export function basePathOf(publicUrl: string | URL): string {
  const path = new URL(publicUrl).pathname;
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * The routes under a base path: `<base>memo` and `<base>auth` (and the stand-in's `<base>_naver`)
 * with their prefix stripped, then the page at `<base>`, also stripped (web-service serves at
 * its root). At `/` this is ROUTES unchanged. `<base>` without its slash is redirected (see
 * `resolve`); anything outside the base path is no route at all.
 */
export function routesUnder(basePath: string, withStub = false): Route[] {
  const root = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  const under = (route: Route): Route => ({ ...route, prefix: `${root}${route.prefix}` });
  const api = [...(withStub ? [STUB_ROUTE] : []), ...ROUTES.filter((r) => r.prefix !== '')].map(under);
  return [
    ...api,
    root === ''
      ? { prefix: '', service: 'web-service', strip: false }
      : { prefix: root, service: 'web-service', strip: true },
  ];
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const compiled = new WeakMap<Route, RegExp>();
function pattern(route: Route): RegExp {
  let re = compiled.get(route);
  if (!re) {
    re = route.prefix === '' ? /^(\/.*)$/ : new RegExp(`^${escape(route.prefix)}(/|$)(.*)$`, 'i');
    compiled.set(route, re);
  }
  return re;
}

export type Resolved =
  | {
      readonly service: ServiceName;
      /** The path and query as the service sees them. */
      readonly path: string;
    }
  | {
      /** The base path without its slash: answered with a permanent redirect to the base path. */
      readonly redirect: string;
    };

/**
 * Maps a public request target (path and query) to a service and the path it sees, or to the
 * redirect of the base path without its slash (`/memos` → `/memos/`: the page's relative URLs
 * need the slash).
 */
export function resolve(target: string, routes: readonly Route[] = ROUTES): Resolved | null {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  const page = routes.find((r) => r.service === 'web-service');
  if (page?.strip && path.toLowerCase() === page.prefix.toLowerCase()) return { redirect: `${page.prefix}/${query}` };
  for (const route of routes) {
    const m = pattern(route).exec(path);
    if (!m) continue;
    if (!route.strip) return { service: route.service, path: path + query };
    return { service: route.service, path: `/${m[2] ?? ''}${query}` };
  }
  return null;
}
