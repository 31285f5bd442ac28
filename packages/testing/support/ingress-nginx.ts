import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { K8sObject } from './helm.js';

/**
 * An nginx configured the way ingress-nginx renders the chart's Ingress objects, generated from
 * the rendered objects themselves: with `use-regex` on any Ingress of a host every path of the
 * host is a case-insensitive regex location (`~* "^<path>"`), longest first; `rewrite-target`
 * rewrites the path of its own Ingress's matches (`rewrite "(?i)<path>" <target> break`);
 * `permanent-redirect` answers 301; `proxy-body-size` is `client_max_body_size`; anything no path
 * covers is the default backend's 404. The headers
 * are ingress-nginx's: Host as the client sent it (port included), X-Request-ID (the incoming
 * one or a new `$request_id`), X-Real-IP, X-Forwarded-For/-Host/-Port/-Proto/-Scheme.
 * Each Service is an upstream of its replicas, tried in turn on a connection error (a
 * non-idempotent request is not retried once sent, as nginx does).
 */

export interface IngressPath {
  path: string;
  pathType: string;
  backend: { service: { name: string } };
}
export interface IngressSpec {
  rules: { host: string; http: { paths: IngressPath[] } }[];
}

export function ingressNginxConfig(
  ingresses: K8sObject[],
  replicas: Readonly<Record<string, readonly string[]>>,
  opts: { dir: string; port: number },
): string {
  const regex = ingresses.some((i) => i.metadata.annotations?.['nginx.ingress.kubernetes.io/use-regex'] === 'true');
  const locations = ingresses.flatMap((ingress) => {
    const notes = ingress.metadata.annotations ?? {};
    return (ingress.spec as IngressSpec).rules.flatMap((rule) =>
      rule.http.paths.map((p) => ({
        path: p.path,
        exact: p.pathType === 'Exact',
        service: p.backend.service.name,
        rewrite: notes['nginx.ingress.kubernetes.io/rewrite-target'],
        redirect: notes['nginx.ingress.kubernetes.io/permanent-redirect'],
        bodySize: notes['nginx.ingress.kubernetes.io/proxy-body-size'] ?? '1m',
      })),
    );
  });
  locations.sort((a, b) => b.path.length - a.path.length);
  const upstreams = Object.entries(replicas)
    .map(
      ([name, hosts]) =>
        `  upstream ${name} {\n${hosts.map((h) => `    server ${h} max_fails=0;`).join('\n')}\n    keepalive 16;\n  }`,
    )
    .join('\n');
  const headers = `
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Request-ID $req_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_next_upstream error timeout;`;
  const blocks = locations.map((l) => {
    const match = l.exact ? `= ${l.path}` : regex ? `~* "^${l.path}"` : l.path;
    if (l.redirect) return `    location ${match} { return 301 ${l.redirect}; }`;
    const rewrite = l.rewrite ? `\n      rewrite "(?i)${l.path}" ${l.rewrite} break;` : '';
    return `    location ${match} {
      client_max_body_size ${l.bodySize};${rewrite}${headers}
      proxy_pass http://${l.service};
    }`;
  });
  // What no Ingress path covers goes to ingress-nginx's default backend: 404.
  if (!locations.some((l) => l.path === '/')) blocks.push('    location / { return 404; }');
  const d = opts.dir;
  return `worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log ${d}/access.log;
  client_body_temp_path ${d}/body; proxy_temp_path ${d}/proxy; fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi; scgi_temp_path ${d}/scgi;
  map $http_x_request_id $req_id { default $http_x_request_id; "" $request_id; }
${upstreams}
  server {
    listen 127.0.0.1:${String(opts.port)};
${blocks.join('\n')}
  }
}
`;
}

/** Starts nginx (Debian's, on this machine) with that configuration; resolves once it listens. */
export async function startNginx(config: string, dir: string, port: number): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config);
  const child = spawn('nginx', ['-c', file, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${errors}`);
    const ok = await fetch(`http://127.0.0.1:${String(port)}/`).then(
      () => true,
      () => false,
    );
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen: ${errors}`);
}
