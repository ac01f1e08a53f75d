import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { createSharesSandbox, openTestShares } from '../../helpers/test-shares.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import type { SharesService } from '../../../server/core/shares/shares-service.ts';
import { startNativeShareWatcher } from '../../../server/core/shares/native-share-watcher.ts';
import { getWatchBudget, ShareWatchBudget } from '../../../server/core/shares/share-watch-budget.ts';
import type { InotifyLimits } from '../../../server/core/shares/inotify-limits.ts';
import type { ShareWatchBatch, StartShareWatcher } from '../../../server/core/shares/share-watcher.ts';

// Red team's F9 (issue 16): each directory a member makes in a share costs one of root's inotify watches; one
// member could use them all up (every share's new directories unwatched, root's other services failing). The
// shares now keep to a budget (shares.max_watches, by default 3/4 of max_user_watches, read again). Real
// watcher, files and ACLs; the member is a process of its own (setpriv).
const isRoot = process.getuid?.() === 0;
const member = 61100;
let s: AccountsSandbox;
let shares: SharesService | undefined;
const warnings: string[] = [];
let limits: InotifyLimits = { maxUserWatches: 1_000_000, maxQueuedEvents: 16384 };
let limitsRead = 0;
let deliver: (batch: ShareWatchBatch) => void = () => {};
const startWatcher: StartShareWatcher = (callback) => {
  deliver = callback;
  return startNativeShareWatcher(callback);
};
const share = () => join(s.root, 'home/groups/crew');
const gid = () => s.service.getGroup('crew')!.gid;
// As the member would: `count` empty directories.
const makeDirectories = (prefix: string, count: number) =>
  run('setpriv', [
    ...['--reuid', `${member}`, '--regid', `${member}`, '--groups', `${gid()}`, '--'],
    ...['/bin/sh', '-c', `cd "$1" && for i in $(seq ${count}); do mkdir "$2$i"; done`, 'sh', share(), prefix],
  ]);

beforeAll(async () => {
  s = await createSharesSandbox(['crew']);
});
afterAll(async () => {
  await shares?.close();
  await s.remove();
});

describe('the default watch budget', () => {
  it("is 3/4 of root's max_user_watches, or what shares.max_watches says; none when the limit is unknown", () => {
    expect(getWatchBudget(0, { maxUserWatches: 192_530, maxQueuedEvents: 16384 })).toBe(144_397);
    expect(getWatchBudget(5000, { maxUserWatches: 192_530, maxQueuedEvents: 16384 })).toBe(5000);
    expect(getWatchBudget(0, null)).toBe(0);
  });

  it('is read again periodically (a sysctl changed the limit)', async () => {
    const given: number[] = [];
    let maxUserWatches = 400;
    const fake = { setWatchBudget: (max: number) => given.push(max) } as unknown as ConstructorParameters<
      typeof ShareWatchBudget
    >[0];
    const budget = new ShareWatchBudget(fake, 0, async () => ({ maxUserWatches, maxQueuedEvents: 16384 }), 20);
    await budget.check();
    expect(given).toEqual([300]);
    maxUserWatches = 800;
    await waitUntil(() => given.includes(600), 'the budget read again');
    budget.stop();
  });
});

describe.skipIf(!isRoot && !process.env.CI)("the shares' watch budget", () => {
  it('refuses watches past it (said once, naming the share, counted), and follows the limit read again', async () => {
    shares = await openTestShares(s, {
      startWatcher,
      readLimits: async () => {
        limitsRead += 1;
        return limits;
      },
      // Never read again by the clock during the test: by a watch the kernel refused.
      budgetCheckMs: 3_600_000,
      warn: (message) => warnings.push(message),
    });
    await shares.settle();
    await waitUntil(() => shares!.getFigures().budget === 750_000, 'the budget of 3/4 of the limit');
    const watched = shares.getFigures().watches;
    await waitUntil(() => shares!.getFigures().scanning === 0, 'the first walks');
    const other = s.service.getGroup('developers')!.gid;
    // A sysctl lowered the limit, and a watch the kernel refused says so: the limit is read again at once.
    limits = { maxUserWatches: Math.ceil(((shares.getFigures().watches + 5) * 4) / 3), maxQueuedEvents: 16384 };
    const budget = Math.floor(limits.maxUserWatches * 0.75);
    deliver({
      progress: [],
      fixed: 0,
      overflows: 0,
      rootsChanged: [],
      rootsMoved: [],
      // Of another share: crew's one warning stays for the budget.
      errors: [{ id: other, path: '/elsewhere', message: 'cannot watch (fs.inotify.max_user_watches reached): x' }],
    });
    await waitUntil(() => shares!.getFigures().budget === budget, 'the budget read again');
    expect(budget - shares.getFigures().watches).toBeLessThanOrEqual(5);

    await makeDirectories('d', 12);
    // Each directory refused is tried again when its parent is read again (a walk): counted each time.
    await waitUntil(() => shares!.getFigures().refused >= 7, 'seven directories refused a watch');
    await waitUntil(() => warnings.some((warning) => warning.includes(share())), 'the share said');
    expect(shares.getFigures().watches).toBe(budget);
    expect(watched).toBeLessThanOrEqual(budget);
    const said = warnings.filter((warning) => warning.includes(share()));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain("the shares' watch budget (shares.max_watches) is reached");
    expect(limitsRead).toBeGreaterThanOrEqual(2);
  });
});
