import { closeSync, statSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendJournalPath,
  openAppendJournal,
  recoverAppendJournal,
  writeAppendJournal,
  type AppendEntry,
} from '../../../server/core/accounts/files/append-journal.ts';

// What a crash (a power cut as much as a kill) can leave of an append, made by hand: each
// file with none, a part or all of its bytes (a part possibly read back as zeros), or
// replaced since by someone else. Recovery must leave all before or all after.
let etc: string;
const old = { passwd: 'root:x:0:0:root:/root:/bin/bash\n', shadow: 'root:*:20000:0:99999:7:::\n' };
const added = { passwd: 'ann:x:1000:100::/home/ann:/bin/bash\n', shadow: 'ann:!:20000:0:99999:7:::\n' };
type Name = keyof typeof old;
const names: Name[] = ['passwd', 'shadow'];

beforeEach(async () => {
  etc = join(await mkdtemp(join(tmpdir(), 'licorn-append-journal-')), 'etc');
  await mkdir(join(etc, 'licorn'), { recursive: true });
  for (const name of names) await writeFile(join(etc, name), old[name]);
  // The journal as the append writes it, before its first byte.
  const entries: AppendEntry[] = names.map((name) => {
    const info = statSync(join(etc, name), { bigint: true });
    return { name, dev: info.dev, ino: info.ino, size: old[name].length, bytes: Buffer.from(added[name]) };
  });
  const fd = await openAppendJournal(etc);
  await writeAppendJournal(fd, entries);
  closeSync(fd);
});
afterEach(() => rm(join(etc, '..'), { recursive: true, force: true }));

const contents = () => Promise.all(names.map((name) => readFile(join(etc, name), 'utf8')));
const journalSize = () => statSync(join(etc, appendJournalPath)).size;

describe('recovering an append a crash stopped', () => {
  it('all bytes in every file: kept (all after)', async () => {
    for (const name of names) await appendFile(join(etc, name), added[name]);
    expect(await recoverAppendJournal(etc)).toMatch(/complete; kept/);
    expect(await contents()).toEqual(names.map((name) => old[name] + added[name]));
    expect(journalSize()).toBe(0);
  });

  it('one file whole, one not begun: truncated back (all before)', async () => {
    await appendFile(join(etc, 'passwd'), added.passwd);
    expect(await recoverAppendJournal(etc)).toMatch(/passwd truncated back/);
    expect(await contents()).toEqual(names.map((name) => old[name]));
  });

  it('a line cut halfway, or its end read back as zeros: truncated back', async () => {
    await appendFile(join(etc, 'passwd'), added.passwd.slice(0, 10));
    const zeros = Buffer.from(added.shadow);
    zeros.fill(0, 8);
    await appendFile(join(etc, 'shadow'), zeros);
    expect(await recoverAppendJournal(etc)).toMatch(/passwd, shadow truncated back/);
    expect(await contents()).toEqual(names.map((name) => old[name]));
  });

  it('a file replaced since without our bytes (a rename by useradd) is left alone, ours taken back', async () => {
    await appendFile(join(etc, 'passwd'), added.passwd);
    const replaced = `${old.shadow}bob:!:20000:0:99999:7:::\n`;
    await writeFile(join(etc, 'shadow+'), replaced);
    await rename(join(etc, 'shadow+'), join(etc, 'shadow'));
    // shadow lacks our line: kept, passwd's would be half an account.
    expect(await recoverAppendJournal(etc)).toMatch(/passwd truncated back; shadow changed since, left alone/);
    expect(await contents()).toEqual([old.passwd, replaced]);
  });

  it('a file replaced since with our line among others: our line taken out by a whole rewrite', async () => {
    const replaced = `${old.passwd}${added.passwd}bob:x:1001:1001::/home/bob:/bin/sh\n`;
    await writeFile(join(etc, 'passwd+'), replaced);
    await rename(join(etc, 'passwd+'), join(etc, 'passwd'));
    expect(await recoverAppendJournal(etc)).toMatch(/nothing truncated back; our lines taken out of passwd/);
    expect(await contents()).toEqual([`${old.passwd}bob:x:1001:1001::/home/bob:/bin/sh\n`, old.shadow]);
  });

  it('other bytes where ours should be: that file is left alone, ours truncated back', async () => {
    await appendFile(join(etc, 'passwd'), added.passwd.slice(0, 5));
    await appendFile(join(etc, 'shadow'), 'zed:!:1:0:99999:7:::\n');
    expect(await recoverAppendJournal(etc)).toMatch(/passwd truncated back; shadow changed since, left alone/);
    expect(await contents()).toEqual([old.passwd, `${old.shadow}zed:!:1:0:99999:7:::\n`]);
  });

  it('a torn journal (never synced: no append began) is emptied and changes nothing', async () => {
    const path = join(etc, appendJournalPath);
    await truncate(path, journalSize() - 3);
    expect(await recoverAppendJournal(etc)).toBeNull();
    expect(await contents()).toEqual(names.map((name) => old[name]));
    expect(journalSize()).toBe(0);
  });
});
