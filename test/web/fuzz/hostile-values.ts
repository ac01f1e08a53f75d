import fc from 'fast-check';

// Strings an attacker (or a careless script) sends where a name, a path or a text goes.
const hostileConstants = [
  '',
  ' ',
  '.',
  '..',
  '../../etc',
  '../../../etc/passwd',
  '/etc',
  '/etc/',
  '/etc/shadow',
  '/',
  '/home',
  '/home/',
  '/home/../etc',
  '/home/groups',
  '/home/archives',
  '/var/spool/news',
  '/root',
  '/proc/self',
  '//evil.example',
  'C:\\Windows',
  'a\u0000b',
  '\u0000',
  'root\u0000',
  'x\ny',
  'x\r\ny',
  'a:b',
  'a,b',
  'x\u007f',
  '\u001b[2J',
  '\u202eevil',
  '\ufeffbom',
  'root',
  'admins',
  'licorn-wmi',
  'users',
  'nogroup',
  'rsp-developers',
  'gst-developers',
  '-rf',
  '--help',
  '$(id)',
  '`id`',
  ';id',
  '|id',
  '%00',
  '%2e%2e%2f',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '0x10',
  '1e308',
  'true',
  'false',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'héhéhé',
  '日本語',
  '🦄🦄',
  '\ud800',
  'ǅ',
  'İ',
  'ß',
  '<script>alert(1)</script>',
  '{{ 7*7 }}',
  '${7*7}',
  "'; DROP TABLE users; --",
  'a'.repeat(32),
  'a'.repeat(33),
  'b'.repeat(65),
];

const controlCharacter = fc.constantFrom('\u0000', '\u0001', '\t', '\n', '\r', '\u001f', '\u007f', ':', '/', '.');
const longRunUnit = fc.constantFrom('a', 'é', '\u0000', '/', '🦄');
const runLength = fc.integer({ min: 100, max: 12_000 });

// A hostile string: a known trap, random text (any code point, control characters), or a
// long run that still fits in the body limit.
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileConstants) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: controlCharacter, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.tuple(longRunUnit, runLength).map(([unit, n]) => unit.repeat(n)) },
);

// Numbers at the edges of every integer type and of JSON itself.
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    0.5,
    -0.5,
    99,
    299,
    300,
    999,
    1000,
    29_999,
    30_000,
    65_534,
    65_535,
    65_536,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 53,
    -(2 ** 53),
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -1e308,
    5e-324,
    1.7976931348623157e308,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

// Nesting deep enough to hurt a recursive walker, within the body limit.
const depth = fc.integer({ min: 50, max: 2000 });
const deepValue: fc.Arbitrary<unknown> = fc.tuple(depth, fc.boolean()).map(([levels, isArray]) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = isArray ? [value] : { a: value };
  return value;
});

// Arrays as long as the body limit allows.
const arrayLength = fc.integer({ min: 1000, max: 12_000 });
const hugeArray: fc.Arbitrary<unknown[]> = fc
  .tuple(arrayLength, fc.constantFrom<unknown>(0, 'a', null, {}))
  .map(([length, item]) => Array.from({ length }, () => item));

// Any hostile JSON value: wrong types, traps, empty containers, deep or huge ones.
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, {}, [], [null], [''], { '': '' }, { __proto__: null }) },
  { weight: 2, arbitrary: fc.array(hostileString, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 4 }) },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: hugeArray },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

// Keys that poison prototypes or look like ours.
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', ' ', 'login ', 'Login', 'isAdmin', 'uid\u0000', '_csrf'),
  fc.string({ maxLength: 12 }),
);

// Raw bodies that are not what their content type says, or that a JSON parser must refuse.
export const hostileRawBody: fc.Arbitrary<{ payload: string; contentType: string }> = fc.oneof(
  fc.constantFrom(
    { payload: '{"login":', contentType: 'application/json' },
    { payload: '', contentType: 'application/json' },
    { payload: 'null', contentType: 'application/json' },
    { payload: 'NaN', contentType: 'application/json' },
    { payload: '{"uid": NaN}', contentType: 'application/json' },
    { payload: '{"uid": Infinity}', contentType: 'application/json' },
    { payload: '{"__proto__": {"isAdmin": true}, "login": "protofuzz"}', contentType: 'application/json' },
    { payload: '{"constructor": {"prototype": {"isAdmin": true}}}', contentType: 'application/json' },
    { payload: '{"login": "dup", "login": ["dup"]}', contentType: 'application/json' },
    { payload: '\ufeff{"login":"bom"}', contentType: 'application/json' },
    { payload: '{"login":"x"}', contentType: 'application/json; charset=latin1' },
    { payload: '<login>x</login>', contentType: 'application/xml' },
    { payload: 'login=x&login=y&fullName=a', contentType: 'application/x-www-form-urlencoded' },
    { payload: 'fullName=%00&shell=..%2F..%2Fetc', contentType: 'application/x-www-form-urlencoded' },
    { payload: '__proto__[isAdmin]=1&constructor[prototype][x]=1', contentType: 'application/x-www-form-urlencoded' },
    { payload: 'a'.repeat(70 * 1024), contentType: 'application/json' },
    { payload: `{"csv":"${'a'.repeat(70 * 1024)}"}`, contentType: 'application/json' },
  ),
  fc
    .tuple(fc.string({ maxLength: 60 }), fc.constantFrom('application/json', 'application/x-www-form-urlencoded'))
    .map(([payload, contentType]) => ({ payload, contentType })),
);
