import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// The four files of shadow-utils (a bulk import leaves Licorn's descriptions alone).
const shadowFiles = ['passwd', 'shadow', 'group', 'gshadow'];

let s: AccountsSandbox;
let original: string[];
beforeAll(async () => {
  s = await createAccountsSandbox();
  await s.service.close();
  original = await Promise.all(shadowFiles.map((name) => readFile(join(s.root, 'etc', name), 'utf8')));
});
afterAll(() => s.remove());

const child = join(import.meta.dirname, '../../helpers/bulk-import-child.ts');

// Starts the bulk import in its own process and SIGKILLs it when `trigger` says so.
async function importAndKill(root: string, trigger: 'staging' | 'delay', delayMs = 0): Promise<void> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', child, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => process_.once('exit', () => resolve()));
  await new Promise<void>((resolve) => process_.stdout!.once('data', () => resolve()));
  if (trigger === 'delay') {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  } else {
    // The moment a new version of a file is being written next to it.
    await new Promise<void>((resolve) => {
      const watcher = watch(join(root, 'etc'), (_event, name) => {
        if (String(name).endsWith('+')) {
          watcher.close();
          resolve();
        }
      });
    });
  }
  process_.kill('SIGKILL');
  await exited;
}

describe('kill -9 in the middle of a 10,000-account bulk import', () => {
  it.each([
    ['while it writes the new files', 'staging', 0],
    ['at 150 ms', 'delay', 150],
    ['at 400 ms', 'delay', 400],
    ['at 900 ms', 'delay', 900],
  ] as const)(
    '%s: every file is the old or the new version, and pwck/grpck accept them',
    async (_label, trigger, delayMs) => {
      const root = join(s.root, '..', `crash-${trigger}-${delayMs}`);
      await cp(s.root, root, { recursive: true });
      await importAndKill(root, trigger, delayMs);
      const versions = await Promise.all(
        shadowFiles.map(async (name, index) => {
          const text = await readFile(join(root, 'etc', name), 'utf8');
          if (text === original[index]) return 'old';
          // The new version: the old lines, plus (or, for group, changed by) the 10,000 accounts.
          const added = text.split('\n').filter((line) => /^crash\d+:/.test(line)).length;
          const members =
            name === 'group' || name === 'gshadow'
              ? (/^developers:.*$/m.exec(text)?.[0].match(/crash\d+/g)?.length ?? 0)
              : null;
          expect(members ?? added, `${name} holds all 10,000 or none`).toBe(10_000);
          return 'new';
        }),
      );
      // All four were renamed back to back: a kill lands before or after, never between.
      expect(new Set(versions).size, versions.join(',')).toBe(1);
      await run('pwck', ['-r', '-q', '-R', root]);
      await run('grpck', ['-r', '-q', '-R', root]);
      await rm(root, { recursive: true, force: true });
    },
    60_000,
  );
});
