import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const viewsDir = join(import.meta.dirname, '../../views');

describe('the views', () => {
  // A page whose every character is Latin-1 stays a one-byte string in V8, which Node
  // writes to a socket much faster (views/layout.njk says why): write others as entities.
  it('hold no character beyond Latin-1 (&#9670; rather than the character)', async () => {
    const names = (await readdir(viewsDir, { recursive: true })).filter((name) => name.endsWith('.njk'));
    expect(names.length).toBeGreaterThan(5);
    const offenders: string[] = [];
    for (const name of names) {
      const text = await readFile(join(viewsDir, name), 'utf8');
      for (const [index, line] of text.split('\n').entries()) {
        if (/[^\u0000-\u00ff]/.test(line)) offenders.push(`${name}:${index + 1}: ${line.trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
