// `npm run readme:config`: rewrites the README's list of configuration keys from config-keys.ts
// (test/readme.test.ts fails while the two differ).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeKeysEnd, readmeKeysStart, renderConfigKeysMarkdown } from './config-keys-text.ts';

const readmePath = join(import.meta.dirname, '../../README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(readmeKeysStart);
const end = readme.indexOf(readmeKeysEnd);
if (start < 0 || end < start) throw new Error(`README.md: the markers of the config keys' list are missing`);
writeFileSync(
  readmePath,
  readme.slice(0, start) + renderConfigKeysMarkdown() + readme.slice(end + readmeKeysEnd.length),
);
