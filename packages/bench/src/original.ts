/**
 * The comparison with the original (../shared/baseline): nginx in front of memo, as the ingress
 * will be, and memos stored the original's way.
 */
import type { Redis } from 'ioredis';

export function nginxConfig(dir: string, port: number, upstreams: Record<'memo' | 'auth' | 'web', string>): string {
  const upstream = (name: string, url: string): string =>
    `upstream ${name} { server ${new URL(url).host}; keepalive 64; }`;
  const proxy = `proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr; proxy_set_header X-Forwarded-Proto $scheme;`;
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${upstream('memo', upstreams.memo)}
  ${upstream('auth', upstreams.auth)}
  ${upstream('web', upstreams.web)}
  server {
    listen 127.0.0.1:${String(port)};
    location = /memo { proxy_pass http://memo/; ${proxy} }
    location /memo/ { proxy_pass http://memo/; ${proxy} }
    location /auth/ { proxy_pass http://auth/; ${proxy} }
    location / { proxy_pass http://web; ${proxy} }
  }
}
`;
}

/** `count` plain-string memos of about fifty bytes, as the original app stores them. */
export async function seedPlain(redis: Redis, key: string, count: number): Promise<void> {
  await redis.del(key);
  for (let start = 0; start < count; start += 1000) {
    const batch: string[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i += 1) {
      batch.push(`a memo of about fifty bytes, written for the bench ${String(i)}`);
    }
    await redis.lpush(key, ...batch);
  }
}
