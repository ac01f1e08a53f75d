import { describe, expect, it } from 'vitest';
import { ShareWalks } from '../../../server/core/shares/share-walks.ts';
import type { ShareRule, ShareWatcher } from '../../../server/core/shares/share-watcher.ts';

// Which walk a progress report is of: the watcher reports a share's walk as it stands, so a
// repair asked while the share's previous walk has not said its end waits for that end
// (else that end would be taken for the repair's). The calls the watcher gets are recorded.
function record() {
  const calls: string[] = [];
  const watcher: ShareWatcher = {
    setShareRule: (rule, options) => calls.push(`set ${rule.id} ${rule.path} repair=${options.repair}`),
    removeShare: (id) => calls.push(`remove ${id}`),
    cancelShareRepair: (id) => calls.push(`cancel ${id}`),
    setWatchBudget: (max) => calls.push(`budget ${max}`),
    getFigures: () => ({ watches: 0, queued: 0, overflows: 0, fixed: 0, scanning: 0, budget: 0, refused: 0 }),
    stop: () => {},
  };
  return { calls, walks: new ShareWalks(watcher) };
}
const rule = (path: string): ShareRule => ({
  id: 7,
  path,
  directoryAcl: [],
  directoryDefaultAcl: [],
  fileAcl: [],
  executableFileAcl: [],
  sticky: true,
});
const report = (done: boolean, cancelled = false) => ({ id: 7, scanned: 1, fixed: 0, done, cancelled });

describe('share walks', () => {
  // Red team F15: POST repair, POST repair, DELETE: only the waiting repair was dropped.
  it('cancels the running repair too when a second one waits for it', () => {
    const { calls, walks } = record();
    walks.send(rule('/s/a'), true);
    walks.send(rule('/s/a'), true);
    walks.cancel(7);
    expect(calls).toEqual(['set 7 /s/a repair=true', 'cancel 7']);
    // The running walk's end starts nothing more.
    expect(walks.isLatest(report(true, true))).toBe(true);
    expect(calls).toEqual(['set 7 /s/a repair=true', 'cancel 7']);
  });

  it('starts a repair asked during a walk once that walk has said its end', () => {
    const { calls, walks } = record();
    walks.send(rule('/s/a'), false);
    walks.send(rule('/s/a'), true);
    expect(calls).toEqual(['set 7 /s/a repair=false']);
    expect(walks.isLatest(report(false))).toBe(false);
    // The first walk's end: not the repair's; the repair starts now.
    expect(walks.isLatest(report(true))).toBe(false);
    expect(calls).toEqual(['set 7 /s/a repair=false', 'set 7 /s/a repair=true']);
    expect(walks.isLatest(report(true))).toBe(true);
    // No walk pending: a repair starts at once.
    walks.send(rule('/s/a'), true);
    expect(calls.at(-1)).toBe('set 7 /s/a repair=true');
  });

  it('sends a renamed share at once (the watcher drops the old walk), a waiting repair with it', () => {
    const { calls, walks } = record();
    walks.send(rule('/s/a'), false);
    walks.send(rule('/s/a'), true);
    walks.send(rule('/s/b'), false);
    expect(calls).toEqual(['set 7 /s/a repair=false', 'set 7 /s/b repair=true']);
    expect(walks.isLatest(report(true))).toBe(true);
  });

  it('drops a waiting repair and tells the watcher (a walk that is no repair ignores it); a started one too', () => {
    const { calls, walks } = record();
    walks.send(rule('/s/a'), false);
    walks.send(rule('/s/a'), true);
    walks.cancel(7);
    expect(walks.isLatest(report(true))).toBe(true);
    walks.send(rule('/s/a'), true);
    walks.cancel(7);
    walks.remove(7);
    expect(calls).toEqual(['set 7 /s/a repair=false', 'cancel 7', 'set 7 /s/a repair=true', 'cancel 7', 'remove 7']);
  });
});
