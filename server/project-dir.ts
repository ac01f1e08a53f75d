import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The project's top folder (holding package.json): found by walking up, so the same code
// works from server/ under tsx and from the bundle in dist/server/.
function findProjectDir(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'licorn-wmi')
        return dir;
    } catch {
      // no package.json here: keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the licorn-wmi project above ${start}`);
  }
}

// Where package.json, views/, dist/ and build/ (the native addon) are.
export const projectDir = findProjectDir(import.meta.dirname);
