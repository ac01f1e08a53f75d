import { spawn } from 'node:child_process';
import { cp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendJournalPath } from '../../../server/core/accounts/files/append-journal.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';
import { run } from '../../helpers/accounts-sandbox.ts';
import { openAccountsOnce, primeAccounts } from '../../helpers/open-accounts-once.ts';

// The files a create may append to, in the order it appends them.
const files = ['passwd', 'shadow', 'group', 'gshadow', 'licorn/group-descriptions', 'subuid', 'subgid'];
const child = join(import.meta.dirname, '../../helpers/append-create-child.ts');
type Kind = 'account' | 'group';
const kinds: Kind[] = ['account', 'group'];
// The files each kind of create appends to (checked against an uninterrupted create).
const grows: Record<Kind, string[]> = {
  account: ['passwd', 'shadow', 'subuid', 'subgid'],
  group: ['group', 'gshadow'],
};

let s: Sandbox;
let before: Buffer[];
// What each file holds after an uninterrupted create of each kind.
const after = new Map<Kind, Buffer[]>();
let next = 0;

const read = (root: string) =>
  Promise.all(files.map((name) => readFile(join(root, 'etc', name)).catch(() => Buffer.alloc(0))));

// A copy of the untouched root.
async function copyRoot(): Promise<string> {
  next += 1;
  const root = join(s.dir, `copy${next}`);
  await cp(s.root, root, { recursive: true });
  return root;
}

// Runs the child on `root` (under `prefix`, e.g. prlimit); resolves to what it printed and
// the signal that ended it.
function runChild(root: string, kind: Kind, env: Record<string, string> = {}, prefix: string[] = []) {
  const command = [...prefix, process.execPath, '--import', 'tsx', child, root, kind, `appended-${kind}`];
  const process_ = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  process_.stdout!.on('data', (data: Buffer) => {
    output += data.toString();
  });
  return new Promise<{ output: string; signal: NodeJS.Signals | null }>((resolve) =>
    process_.once('exit', (_code, signal) => resolve({ output: output.trim(), signal })),
  );
}

// Opens the accounts (which recovers a journal left behind) and closes them.
const openAndClose = (root: string) => openAccountsOnce(root);

beforeAll(async () => {
  s = await createSandbox();
  // A first transaction makes what stays for good (etc/licorn/, the journal, the lock file).
  await primeAccounts(s.root);
  before = await read(s.root);
  // The same creates, uninterrupted: what every file holds after them (they only grow).
  for (const kind of kinds) {
    const reference = await copyRoot();
    expect((await runChild(reference, kind)).output).toBe('created');
    after.set(kind, await read(reference));
    const grown = files.filter((name, index) => {
      const [old, now] = [before[index]!, after.get(kind)![index]!];
      expect(now.subarray(0, old.length).equals(old), `${name} only grows`).toBe(true);
      return now.length > old.length;
    });
    expect(grown).toEqual(grows[kind]);
  }
}, 60_000);
afterAll(() => s.remove());

describe('a create appends in place; a crash at any step leaves all files before or all after', () => {
  // The steps of append-account-files.ts at which the child kills itself (SIGKILL), in order.
  const cases = kinds.flatMap((kind) =>
    ['journal synced', ...grows[kind].map((name) => `appended ${name}`), 'files synced'].map(
      (step, position) => [kind, step, position] as const,
    ),
  );
  it.each(cases)(
    '%s create killed at "%s": once reopened, every file is all before or all after',
    async (kind, step, position) => {
      const [grown, done] = [grows[kind], after.get(kind)!];
      const root = await copyRoot();
      const { signal } = await runChild(root, kind, { LICORN_TEST_KILL_AT: step });
      expect(signal, `the child reached "${step}"`).toBe('SIGKILL');
      expect((await stat(join(root, 'etc', appendJournalPath))).size, 'a journal is left').toBeGreaterThan(0);
      // What the crash left: the files appended so far hold their bytes, the others not.
      const left = await read(root);
      const appendedSoFar = Math.min(position, grown.length);
      const expectedLeft = files.map((name, index) =>
        grown.indexOf(name) !== -1 && grown.indexOf(name) < appendedSoFar ? done[index]! : before[index]!,
      );
      files.forEach((name, index) => {
        expect(left[index]!.equals(expectedLeft[index]!), `${name} as the crash left it`).toBe(true);
      });
      await openAndClose(root);
      const recovered = await read(root);
      // Every file holding its bytes (killed after the last write, synced or not): kept.
      const complete = appendedSoFar === grown.length;
      const whole = complete ? done : before;
      files.forEach((name, index) => {
        expect(
          recovered[index]!.equals(whole[index]!),
          `${name} after recovery (${complete ? 'after' : 'before'})`,
        ).toBe(true);
      });
      expect((await stat(join(root, 'etc', appendJournalPath))).size, 'the journal is emptied').toBe(0);
      await run('pwck', ['-r', '-q', '-R', root]);
      await run('grpck', ['-r', '-q', '-R', root]);
      await rm(root, { recursive: true, force: true });
    },
    60_000,
  );

  it('an append failing halfway (EFBIG: a file size limit) truncates the files back, byte for byte', async () => {
    const root = await copyRoot();
    // passwd (appended first) ends below the limit, shadow (second) at it: its write fails.
    const limit = before[files.indexOf('shadow')]!.length;
    expect(after.get('account')![files.indexOf('passwd')]!.length).toBeLessThan(limit);
    const { output } = await runChild(root, 'account', {}, ['prlimit', `--fsize=${limit}`]);
    expect(output).toBe('EFBIG');
    const left = await read(root);
    files.forEach((name, index) => {
      expect(left[index]!.equals(before[index]!), name).toBe(true);
    });
    expect((await stat(join(root, 'etc', appendJournalPath))).size).toBe(0);
    await rm(root, { recursive: true, force: true });
  }, 60_000);
});
