import fc from 'fast-check';

// Spellings of an off-site `next` (a //host a browser would follow, once resolved): the
// login's redirect must send each of them home. Shared by the unit and the route tests.
export const forgedNextPaths: readonly string[] = [
  'https://evil.example/',
  '//evil.example/x',
  '/\\evil.example',
  '\\\\evil',
  '/.//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/%2E%2e//evil.example',
  '/%2E%2E//evil.example',
  '/a/..//evil.example',
  '/./\\evil.example',
  '/./%2e%2e//evil.example/path?q#h',
  '/a/b/../../..//evil.example',
  '/a/b/../..//evil.example',
  '/.///evil.example',
  '/.///evil.example/x?y#z',
];

// Pieces generated nexts are made of: slashes, dots and their encodings, a host, URL syntax.
export const nextPiece = fc.constantFrom(
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
