// Where `next` is resolved: any origin of our own would do, since only the path is kept.
const ourOrigin = 'https://licorn.invalid';

// Where to go after login: `next` only when it is a path inside this site, else "/".
// `next` is resolved as the browser will resolve the Location (`new URL(next, origin)`) and
// kept only when its origin is ours; what is sent back is the resolved path, which never
// starts with `//` or `/\`, so no browser can read it as scheme-relative (`/.//evil.example`
// resolves to the path `//evil.example`, which a Location header would send off-site).
// Control characters and the login pages themselves are refused too.
export function getSafeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2048) return '/';
  if (!next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, ourOrigin);
  } catch {
    return '/';
  }
  if (url.origin !== ourOrigin || url.pathname.startsWith('/login')) return '/';
  if (!/^\/(?![/\\])/.test(url.pathname)) return '/';
  return url.pathname + url.search + url.hash;
}
