import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getSafeNext } from '../../../server/web/auth/safe-next.ts';
import { forgedNextPaths, nextPiece } from '../../helpers/forged-next.ts';

describe('getSafeNext', () => {
  it.each([
    ['/me/', '/me/'],
    ['/accounts/?q=a#row', '/accounts/?q=a#row'],
    ['/a/../b', '/b'],
    ['/%0d%0aSet-Cookie:x', '/%0d%0aSet-Cookie:x'],
  ])('keeps the in-site path %s', (next, expected) => expect(getSafeNext(next)).toBe(expected));

  it.each(['javascript:alert(1)', 'relative', '', '/login/?next=/x', '/\tevil', undefined, 42, '/' + 'a'.repeat(3000)])(
    'sends %s to /',
    (next) => {
      expect(getSafeNext(next)).toBe('/');
    },
  );

  it.each(forgedNextPaths)('never answers %s with a //host', (next) => {
    expect(getSafeNext(next)).toBe('/');
  });

  it('gives, for any generated next, a path a browser resolves on this site', () => {
    fc.assert(
      fc.property(fc.array(nextPiece, { maxLength: 10 }), fc.string(), (pieces, tail) => {
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
