/** Bench users, logged in through the real flow (the Naver stand-in), as a browser would. */

const setCookies = (res: Response): string[] => res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');

export async function logIn(site: string, user: string): Promise<{ cookie: string; id: string }> {
  const start = await fetch(new URL('auth/login', site), { redirect: 'manual' });
  const stateCookie = setCookies(start).join('; ');
  const authorize = new URL(start.headers.get('location') ?? '', site);
  const form = new URLSearchParams({ user });
  for (const name of ['client_id', 'redirect_uri', 'state']) form.set(name, authorize.searchParams.get(name) ?? '');
  const picked = await fetch(new URL(authorize.pathname, authorize), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const callback = await fetch(picked.headers.get('location') ?? '', {
    headers: { cookie: stateCookie },
    redirect: 'manual',
  });
  const cookie = setCookies(callback).find((c) => c.startsWith('userId=')) ?? '';
  if (!cookie) throw new Error(`login of ${user} failed: ${callback.headers.get('location') ?? ''}`);
  const me = (await (await fetch(new URL('auth/me', site), { headers: { cookie } })).json()) as { id: string };
  return { cookie, id: me.id };
}
