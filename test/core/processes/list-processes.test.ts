import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { listProcesses } from '../../../server/core/processes/list-processes.ts';
import { startProcessAs, stopProcesses, waitForProcessOf } from '../../helpers/uid-process.ts';

// The process list is read from /proc, where a command line is its owner's text: any length
// (up to 2 MB), any byte. What a message or a page shows of it is bounded and printable.
const canRun = process.getuid?.() === 0;
if (!canRun && process.env.CI === 'true') throw new Error('this test needs root (setpriv to another UID) in CI');
const started: ChildProcess[] = [];
afterAll(() => stopProcesses(started));

describe.skipIf(!canRun)('listing processes', () => {
  it('shows the start of a hostile command line, without control characters, with its four UIDs', async () => {
    const uid = 20000 + Math.floor(Math.random() * 9000);
    const hostile = `line\n\u001b[31mred${'x'.repeat(100_000)}`;
    // sh -c '<script>' name arg: the argument stays in sleep's parent's command line.
    startProcessAs({ uid, gid: 100 }, ['sh', '-c', 'exec sleep 313', hostile], started);
    await waitForProcessOf(uid, 'sleep 313');
    startProcessAs({ uid, gid: 100 }, ['sh', '-c', 'sleep 314; true', hostile], started);
    await waitForProcessOf(uid, 'sleep 314');
    const found = await listProcesses('/proc', (id) => id === uid);
    const shell = found.find((info) => info.command.startsWith('sh -c sleep 314'))!;
    expect(shell).toMatchObject({ realUid: uid, effectiveUid: uid, savedUid: uid, fsUid: uid });
    expect(shell.command.length).toBeLessThanOrEqual(201);
    // The newline and the escape are spaces now.
    expect(shell.command).toMatch(/^sh -c sleep 314; true line {2}\[31mredx+…$/);
    expect(shell.command).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});
