import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectDir } from '../server/project-dir.ts';

// What Biome cannot wrap (a long string, a test's name, a comment, C, a template) is kept
// under 120 characters by hand; this says where it was not.
const checked = ['*.ts', '*.c', '*.h', '*.css', '*.njk', '*.gyp', 'README.md'];

function getLongLines(): string[] {
  const files = execFileSync('git', ['ls-files', '--', ...checked], { cwd: projectDir, encoding: 'utf8' });
  const long: string[] = [];
  for (const file of files.split('\n').filter(Boolean)) {
    const lines = readFileSync(join(projectDir, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if ([...line].length > 120) long.push(`${file}:${index + 1} (${[...line].length})`);
    });
  }
  return long;
}

describe('the sources', () => {
  it('have no line over 120 characters (TypeScript, C, CSS, templates, the README)', () => {
    expect(getLongLines()).toEqual([]);
  });
});
