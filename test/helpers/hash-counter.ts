import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectDir } from '../../server/project-dir.ts';

// Counts the passwords hashed by this process: the native addon's `crypt`, as the core calls
// it, each call made for real. Import it before anything that loads the core: the core's
// require of the addon then gets this counting copy (its other functions unchanged).
const require = createRequire(import.meta.url);
const addonPath = require.resolve(join(projectDir, 'build/Release/licorn_native.node'));
const addon = require(addonPath) as { crypt(phrase: string, setting: string): Promise<string> };
let count = 0;
const counting = Object.create(addon, {
  crypt: {
    value: (phrase: string, setting: string) => {
      count += 1;
      return addon.crypt(phrase, setting);
    },
  },
});
require.cache[addonPath]!.exports = counting;

// How many passwords were hashed so far.
export function getHashCount(): number {
  return count;
}
