import fc from 'fast-check';
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
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    '\\\\evil',
    'javascript:alert(1)',
    'relative',
    '',
    '/login/?next=/x',
    '/\tevil',
    undefined,
    42,
    '/' + 'a'.repeat(3000),
  ])('sends %s to /', (next) => {
    expect(getSafeNext(next)).toBe('/');
  });

  it.each([
    '/.//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '/%2E%2e//evil.example',
    '/a/..//evil.example',
    '/./%2e%2e//evil.example/path?q#h',
    '/a/b/../../..//evil.example',
    '/.///evil.example',
  ])('never answers %s with a //host', (next) => {
    expect(getSafeNext(next)).toBe('/');
  });

  it('gives, for any generated next, a path a browser resolves on this site', () => {
    const piece = fc.constantFrom(
      '/',
      '//',
      '.',
      '..',
      '%2e',
      '%2E',
      '%2e%2e',
      '\\',
      '%5c',
      '%2f',
      'a',
      'evil.example',
      '?',
      '#',
      '@',
      ':',
      '%09',
      '\t',
      ' ',
      'login',
      '%00',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), fc.string(), (pieces, tail) => {
        const safe = getSafeNext(pieces.join('') + tail);
        expect(safe).toMatch(/^\/(?![/\\])/);
        for (const base of ['https://wmi.example/', 'https://wmi.example/a/b/c?x']) {
          expect(new URL(safe, base).origin).toBe('https://wmi.example');
        }
      }),
      { numRuns: 5000 },
    );
  });
});
