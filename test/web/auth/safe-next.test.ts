import { describe, expect, it } from 'vitest';
import { getSafeNext } from '../../../server/web/auth/safe-next.ts';

describe('getSafeNext', () => {
  it.each([
    ['/me/', '/me/'],
    ['/accounts/?q=a#row', '/accounts/?q=a#row'],
    ['/a/../b', '/b'],
    ['/%0d%0aSet-Cookie:x', '/%0d%0aSet-Cookie:x'],
  ])('keeps the in-site path %s', (next, expected) => expect(getSafeNext(next)).toBe(expected));

  it.each([
    'https://evil.example/', '//evil.example/x', '/\\evil.example', '\\\\evil', 'javascript:alert(1)',
    'relative', '', '/login/?next=/x', '/\tevil', undefined, 42, '/' + 'a'.repeat(3000),
  ])('sends %s to /', (next) => {
    expect(getSafeNext(next)).toBe('/');
  });
});
