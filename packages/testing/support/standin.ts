/**
 * The whole Naver login through the stand-in, over HTTP, as a browser follows it: start at
 * `loginUrl`, pick `user` on the stand-in's page, and come back with the state cookie.
 * `callback` maps the URL the stand-in sends the browser back to (a service started on its
 * own port is reached there, not at its public URL).
 */
export interface StandInLogin {
  /** `userId=…`, or '' when no session came back (the start was refused, say). */
  cookie: string;
  /** Where the login start sent the browser. */
  authorize: URL;
  /** Where the stand-in sent the browser back (with the code and state). */
  returned: URL | null;
  /** The callback's answer. */
  back: Response | null;
}

export async function standInLogin(
  loginUrl: string | URL,
  user: string,
  callback: (returned: URL) => string = (returned) => returned.toString(),
): Promise<StandInLogin> {
  const start = await fetch(loginUrl, { redirect: 'manual' });
  const authorize = new URL(start.headers.get('location') ?? '', loginUrl);
  if (!authorize.pathname.endsWith('/oauth2.0/authorize')) return { cookie: '', authorize, returned: null, back: null };
  const state = start.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const picked = await fetch(authorize, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({
      user,
      state: authorize.searchParams.get('state') ?? '',
      client_id: authorize.searchParams.get('client_id') ?? '',
      redirect_uri: authorize.searchParams.get('redirect_uri') ?? '',
    }),
  });
  const returned = new URL(picked.headers.get('location') ?? '', authorize);
  const back = await fetch(callback(returned), { redirect: 'manual', headers: { cookie: state } });
  const cookie =
    back.headers
      .getSetCookie()
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.startsWith('userId=')) ?? '';
  return { cookie, authorize, returned, back };
}
