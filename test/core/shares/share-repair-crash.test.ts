import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../helpers/accounts-sandbox.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';
import { openTestShares } from '../../helpers/test-shares.ts';
import { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import { EventBus, type CoreEvent } from '../../../server/core/events/event-bus.ts';
import { getRepairsJournalPath } from '../../../server/core/shares/share-repairs-journal.ts';

// A crash right after a permissive switch's commit (a real SIGKILL of the process, at the
// moment its event is heard) still resumes the repair of the tree at the next start: the
// journal entry is written before the commit (before: after it, and lost).
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox.remove();
});

function runUntilKilled(root: string): Promise<{ signal: string | null; stdout: string; stderr: string }> {
  const script = join(import.meta.dirname, 'crash-after-switch.script.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, root], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve({ signal, stdout, stderr })));
}

describe('a crash after a permissive switch', () => {
  it('finds the repair journaled at the next start and resumes it', async () => {
    const { root } = sandbox;
    const crashed = await runUntilKilled(root);
    expect(crashed, crashed.stderr).toMatchObject({ signal: 'SIGKILL', stdout: 'switching\n' });
    const events = new EventBus();
    const seen: CoreEvent[] = [];
    events.onAny((event) => seen.push(event));
    const accounts = await AccountsService.open({ root, events });
    const gid = accounts.getGroup('crashcrew')!.gid;
    expect(JSON.parse(await readFile(getRepairsJournalPath(root), 'utf8'))).toEqual({
      repairs: [{ gid, name: 'crashcrew' }],
    });
    const share = join(root, 'home/groups/crashcrew');
    // The tree is as the switch left it: not repaired.
    expect((await run('getfacl', ['-n', '--absolute-names', join(share, 'file19')])).stdout).not.toContain(
      `group:${gid}:rw-`,
    );
    const shares = await openTestShares({ root, bus: events, service: accounts });
    try {
      const deadline = Date.now() + 20_000;
      const isDone = (event: CoreEvent) =>
        event.name === 'group-share-progress' && (event.data as { done: boolean; name: string }).done;
      while (!seen.some(isDone)) {
        if (Date.now() > deadline) throw new Error('the resumed repair did not end');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await accounts.getPermissive('crashcrew')).toBe(true);
      for (const name of ['file0', 'file19'])
        expect((await run('getfacl', ['-n', '--absolute-names', join(share, name)])).stdout).toContain(
          `group:${gid}:rw-`,
        );
      await shares.settle();
      expect(JSON.parse(await readFile(getRepairsJournalPath(root), 'utf8'))).toEqual({ repairs: [] });
    } finally {
      await shares.close();
      await accounts.close();
    }
  });
});
