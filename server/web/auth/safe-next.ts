// Where to go after login: `next` only when it is a path inside this site, else "/".
// Rejects absolute URLs, scheme-relative `//host`, backslashes (browsers read `/\host` as
// `//host`), control characters, and the login page itself.
export function getSafeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2048) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, 'https://licorn.invalid');
  } catch {
    return '/';
  }
  if (url.origin !== 'https://licorn.invalid' || url.pathname.startsWith('/login')) return '/';
  return url.pathname + url.search + url.hash;
}
