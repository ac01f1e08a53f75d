import { chown, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// execFile recorded (the scratch cleanup's `setpriv … rm`), the rest of child_process real.
const calls = vi.hoisted(() => [] as { file: string; args: string[]; options: unknown }[]);
vi.mock('node:child_process', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:child_process')>();
  const execFile = (file: string, args: string[], options: unknown, callback: (error: null, out: string) => void) => {
    calls.push({ file, args, options });
    return actual.execFile(file, args, options as object, (error) => callback(error as null, ''));
  };
  return { ...actual, execFile };
});

const { getShellCommand, sandboxUidBase } = await import('../../../server/core/terminal/shell-command.ts');

describe('a sandbox terminal as root', () => {
  it.runIf(process.getuid?.() === 0)(
    "runs as the account's own uid in a 0700 home under a root 0711 parent, emptied with PATH only",
    async () => {
      const command = await getShellCommand({ login: 'admin', isRealMachine: false, shell: '/bin/sh', uid: 1000 });
      const home = command.scratchDir!;
      expect(command.runsAs).toBe(`uid ${sandboxUidBase + 1000}`);
      const own = await stat(home);
      expect([own.uid, own.mode & 0o777]).toEqual([sandboxUidBase + 1000, 0o700]);
      const parent = await stat(dirname(home));
      expect([parent.uid, parent.mode & 0o777]).toEqual([0, 0o711]);
      // Red team LOW 4: the cleanup handed the daemon's whole environment to a process of that uid.
      await writeFile(join(home, '.profile'), 'echo hi\n');
      await chown(join(home, '.profile'), sandboxUidBase + 1000, sandboxUidBase + 1000);
      await command.removeScratch();
      const removal = calls.find((call) => call.args.includes('-delete'))!;
      expect(removal.options).toEqual({ env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
      await expect(stat(dirname(home))).rejects.toThrow('ENOENT');
    },
  );
});
